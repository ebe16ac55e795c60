package main

import (
	"cmp"
	"context"
	"fmt"
	"log"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/openkyc/openkyc/internal/analytics"
	"github.com/openkyc/openkyc/internal/app"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/store"
)

// seedAnalytics writes the analytics counters that n verifications spread
// over the last 90 days would have left — the same metrics the services
// count, through the same AddCounts — without running n pipelines: created,
// submitted, decided by policy or by one of five reviewers (a tenth with
// four eyes), sent to review and out of it, reasons, sixteen checks each,
// hosted links, and two webhook endpoints per merchant. Merchants differ
// in volume; each uses two levels, two surfaces and fifteen document
// countries (mostly three). It returns the counters (distinct keys).
func seedAnalytics(ctx context.Context, a *app.App, ms []string, n int) (int, error) {
	type key struct {
		m              string
		day            int
		level, surface string
		country        string
		metric         string
	}
	sum := map[key]int64{}
	r := rand.New(rand.NewPCG(7, 8))
	today := store.Day(time.Now())
	checks := []kyc.CheckKind{kyc.KindDocumentsRequired, kyc.KindDocumentIntegrity, kyc.KindMRZ, kyc.KindBarcode, kyc.KindVIZ, kyc.KindClassification,
		kyc.KindConsistency, kyc.KindExpiry, kyc.KindAge, kyc.KindTamperHints, kyc.KindFaceMatch, kyc.KindFaceDuplicate, kyc.KindFaceLiveness,
		kyc.KindSanctions, kyc.KindDuplicateIdentity, kyc.KindBlocklist}
	reasons := []string{kyc.ReasonDocumentMissing, "DOCUMENT_EXPIRED", "UNDERAGE", "FACE_MISMATCH", "DATA_MISMATCH"}
	why := []string{"SANCTIONS_POSSIBLE_MATCH", "CHECK_UNAVAILABLE", "FACE_REVIEW"}
	surfaces := []string{string(kyc.SurfaceNative), string(kyc.SurfacePayCools), string(kyc.SurfaceVexora)}
	countries := []string{"DE", "FR", "GB", "ES", "IT", "NL", "PL", "PH", "ID", "VN", "BR", "MX", "NG", "IN", "US"}
	for range n {
		mi := int(float64(len(ms)) * r.Float64() * r.Float64()) // a few merchants carry most of the volume
		m := ms[mi]
		day := today - r.IntN(90)
		level, surface := "basic", surfaces[0]
		if r.Float64() < 0.3 {
			level = "full"
		}
		if r.Float64() < 0.4 {
			surface = surfaces[1+mi%2]
		}
		country := "" // a few declare none; the rest mostly the merchant's three home markets
		if x := r.Float64(); x < 0.6 {
			country = countries[(mi*3+r.IntN(3))%len(countries)]
		} else if x < 0.95 {
			country = countries[r.IntN(len(countries))]
		}
		add := func(metric string) { sum[key{m, day, level, surface, country, metric}]++ }
		hook := func(metric string) { sum[key{m, day, "", "", "", metric}]++ }
		add(analytics.MetricCreated)
		if r.Float64() < 0.95 {
			add(analytics.MetricDocuments)
		}
		if r.Float64() < 0.3 {
			add(analytics.MetricLinkCreated)
			if r.Float64() < 0.8 {
				add(analytics.MetricLinkDone)
			}
		}
		for e := range 2 + r.IntN(2) { // deliveries
			ep := fmt.Sprintf("we_%s_%d", m[len(m)-6:], e%2)
			hook(analytics.MetricWebhook + ep + analytics.WebhookSent)
			hook(analytics.MetricWebhook + ep + analytics.WebhookLatency + strconv.Itoa(5+r.IntN(5)))
			if r.Float64() < 0.98 {
				hook(analytics.MetricWebhook + ep + analytics.WebhookOK)
			}
			if r.Float64() < 0.03 {
				hook(analytics.MetricWebhook + ep + analytics.WebhookRetry)
			}
		}
		if r.Float64() > 0.9 {
			continue // never submitted
		}
		add(analytics.MetricSubmitted)
		for _, k := range checks {
			st := "passed"
			switch x := r.Float64(); {
			case x < 0.05:
				st = "failed"
			case x < 0.08:
				st = "review"
			case x < 0.12:
				st = "not_run.not_applicable"
			case x < 0.13:
				st = "not_run.unavailable"
			}
			add(analytics.MetricCheck + string(k) + "." + st)
		}
		reviewed := r.Float64() < 0.15
		if reviewed {
			add(analytics.MetricReviewIn)
			add(analytics.MetricReviewWhy + why[r.IntN(len(why))])
			if r.Float64() < 0.05 {
				continue // still in review
			}
			add(analytics.MetricReviewOut)
			add(analytics.MetricReviewTime + strconv.Itoa(8+r.IntN(9)))
			add(analytics.MetricReviewer + fmt.Sprintf("reviewer:stf_%s_%d", m[len(m)-6:], r.IntN(5)))
			if r.Float64() < 0.1 {
				add(analytics.MetricFourEyes)
			}
		} else {
			add(analytics.MetricAuto)
		}
		switch x := r.Float64(); {
		case x < 0.8:
			add(analytics.MetricDecided + "approved")
		case x < 0.93:
			add(analytics.MetricDecided + "rejected.retry")
			add(analytics.MetricReason + reasons[r.IntN(len(reasons))])
		default:
			add(analytics.MetricDecided + "rejected.final")
			add(analytics.MetricReason + reasons[r.IntN(len(reasons))])
		}
	}
	// written as the services write them, a few thousand counters a statement
	var batch []store.Count
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := a.Store.InTx(ctx, func(tx *store.Tx) error { return tx.AddCounts(ctx, fmt.Sprint("seed", len(batch)), batch) })
		batch = batch[:0]
		return err
	}
	keys := slices.SortedFunc(maps.Keys(sum), func(a, b key) int { // in index order: far faster inserts
		return cmp.Or(cmp.Compare(a.m, b.m), cmp.Compare(a.day, b.day), cmp.Compare(a.country, b.country), cmp.Compare(a.level, b.level),
			cmp.Compare(a.surface, b.surface), cmp.Compare(a.metric, b.metric))
	})
	for _, k := range keys {
		batch = append(batch, store.Count{MerchantID: k.m, Day: k.day, Level: k.level, Surface: k.surface, Country: k.country, Metric: k.metric, N: sum[k]})
		if len(batch) == 2000 {
			if err := flush(); err != nil {
				return 0, err
			}
		}
	}
	if err := flush(); err != nil {
		return 0, err
	}
	// what the server's housekeeping does at start and every hour
	t0 := time.Now()
	if _, err := a.Store.CompactAnalytics(ctx, store.Day(time.Now())); err != nil {
		return 0, err
	}
	log.Printf("housekeeping (compaction, blocks, statistics) in %s", time.Since(t0).Round(time.Millisecond))
	return len(sum), nil
}
