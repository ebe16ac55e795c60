package client_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/client"
	"github.com/openkyc/openkyc/internal/apptest"
	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/kyctest"
)

// receiver is a merchant's webhook endpoint verifying with the client.
type receiver struct {
	mu     sync.Mutex
	secret string
	events []client.WebhookEvent
	bad    int
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	ev, err := client.VerifyWebhook(r.secret, req.Header, body)
	if err != nil {
		r.bad++
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	r.events = append(r.events, ev)
}

func (r *receiver) of(typ string) []client.WebhookEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []client.WebhookEvent
	for _, e := range r.events {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

// TestEndToEnd runs every client method against a real server (workers,
// a sanctions list, loopback webhooks) and decodes strictly: a field the
// server adds that the client does not know fails here.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	lists := t.TempDir()
	b, err := os.ReadFile("../internal/screening/testdata/formats/ofac_xml/sdn.xml")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(lists, "sdn.xml"), b, 0o644))
	a, srv := apptest.Start(t, config.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), MaxUploadBytes: 8 << 20, MaxImagePixels: 20_000_000,
		Workers: true, WebhookAllowPrivate: true, ListsDir: lists, WebhookSchedule: []time.Duration{100 * time.Millisecond}})
	ctx := context.Background()
	mA, err := a.Merchants.Create(ctx, "A", "test")
	require.NoError(t, err)
	mB, err := a.Merchants.Create(ctx, "B", "test")
	require.NoError(t, err)
	c := client.New(srv.URL, mA.APIKey, client.WithStrictDecoding())
	cB := client.New(srv.URL, mB.APIKey, client.WithStrictDecoding())

	// Webhooks, verified by the receiver with the client's helper.
	rcv := &receiver{}
	hook := httptest.NewServer(rcv)
	t.Cleanup(hook.Close)
	ep, err := c.CreateWebhook(ctx, hook.URL+"/kyc", nil)
	require.NoError(t, err)
	require.NotEmpty(t, ep.Secret)
	rcv.mu.Lock()
	rcv.secret = ep.Secret
	rcv.mu.Unlock()

	// Applicants: create, read, change; a bad field is a typed error.
	_, err = c.CreateApplicant(ctx, client.ApplicantInput{ExternalUserID: "u-bad", DateOfBirth: "1990-13-40"})
	var apiErr *client.Error
	require.ErrorAs(t, err, &apiErr)
	require.Equal(t, http.StatusUnprocessableEntity, apiErr.Status)
	require.Equal(t, "validation_failed", apiErr.Code)
	require.Equal(t, "date_of_birth", apiErr.Field)
	require.NotEmpty(t, apiErr.RequestID)
	ap, err := c.CreateApplicant(ctx, client.ApplicantInput{ExternalUserID: "u-1", FirstName: "Anna", LastName: "Eriksson", DateOfBirth: "1990-04-12",
		Nationality: "SWE", Email: "anna@example.com", DocumentType: "passport", DocumentCountry: "SWE",
		Address: &client.Address{Line1: "Storgatan 1", City: "Stockholm", Country: "SE"}})
	require.NoError(t, err)
	require.Equal(t, "SE", ap.Nationality)
	require.Equal(t, "passport", ap.DocumentType)
	require.Equal(t, "SE", ap.DocumentCountry)
	got, err := c.GetApplicant(ctx, ap.ID)
	require.NoError(t, err)
	require.Equal(t, ap, got)
	phone := "+46 70 123 45 67"
	ap, err = c.UpdateApplicant(ctx, ap.ID, client.ApplicantPatch{Phone: &phone})
	require.NoError(t, err)
	require.Equal(t, "+46701234567", ap.Phone)
	_, err = cB.GetApplicant(ctx, ap.ID)
	require.True(t, client.IsCode(err, "not_found"), "another merchant's applicant: %v", err)

	// Documents, streamed.
	for kind, img := range map[string][]byte{client.DocIDFront: kyctest.JPEG(t, kyctest.SyntheticCard(800, 500)),
		client.DocSelfie: kyctest.JPEG(t, kyctest.SyntheticFace(640, 480))} {
		d, err := c.UploadDocument(ctx, ap.ID, kind, kind+".jpg", bytes.NewReader(img))
		require.NoError(t, err)
		require.Equal(t, "image/jpeg", d.ContentType)
		require.EqualValues(t, len(img), d.Size)
	}
	_, err = c.UploadDocument(ctx, ap.ID, "passport_photo", "x.jpg", bytes.NewReader([]byte("x")))
	require.True(t, client.IsCode(err, "validation_failed"), "%v", err)

	// Verifications: an idempotent create, a link, submit, the outcome.
	ikey := client.WithIdempotencyKey(ctx, client.NewIdempotencyKey())
	v, err := c.CreateVerification(ikey, client.VerificationInput{ApplicantID: ap.ID, Reference: "order-1"})
	require.NoError(t, err)
	again, err := c.CreateVerification(ikey, client.VerificationInput{ApplicantID: ap.ID, Reference: "order-1"})
	require.NoError(t, err)
	require.Equal(t, v.ID, again.ID, "the same Idempotency-Key answers the first answer")
	l, err := c.CreateLink(ctx, v.ID, client.LinkInput{Locale: "en"})
	require.NoError(t, err)
	require.Contains(t, l.URL, "/verify/")
	_, err = c.SubmitVerification(ctx, v.ID)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		v, err = c.GetVerification(ctx, v.ID)
		require.NoError(t, err)
		return v.State == "completed"
	}, 30*time.Second, 50*time.Millisecond)
	require.Equal(t, "approved", *v.Decision)
	require.NotEmpty(t, v.Checks)
	_, err = cB.GetVerification(ctx, v.ID)
	require.True(t, client.IsCode(err, "not_found"))
	v2, err := c.CreateVerification(ctx, client.VerificationInput{ApplicantID: ap.ID, Reference: "order-2"})
	require.NoError(t, err)
	page, err := c.ListVerifications(ctx, client.ListOptions{Limit: 1})
	require.NoError(t, err)
	require.Equal(t, v2.ID, page.Items[0].ID)
	require.NotNil(t, page.NextCursor)
	page, err = c.ListVerifications(ctx, client.ListOptions{Limit: 1, Cursor: *page.NextCursor})
	require.NoError(t, err)
	require.Equal(t, v.ID, page.Items[0].ID)
	page, err = c.ListVerifications(ctx, client.ListOptions{State: "created"})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)

	// The completed webhook arrived signed; its delivery is logged; a redelivery repeats its id.
	require.Eventually(t, func() bool { return len(rcv.of("verification.completed")) == 1 }, 30*time.Second, 50*time.Millisecond)
	done := rcv.of("verification.completed")[0]
	require.Contains(t, string(done.Data), v.ID)
	ds, err := c.Deliveries(ctx, ep.ID, 50)
	require.NoError(t, err)
	require.NotEmpty(t, ds)
	require.NoError(t, c.Redeliver(ctx, done.ID))
	require.Eventually(t, func() bool { return len(rcv.of("verification.completed")) == 2 }, 30*time.Second, 50*time.Millisecond)
	require.Equal(t, done.ID, rcv.of("verification.completed")[1].ID)
	require.Zero(t, rcv.bad)
	secret, err := c.RotateWebhookSecret(ctx, ep.ID)
	require.NoError(t, err)
	require.NotEqual(t, ep.Secret, secret)
	eps, err := c.ListWebhooks(ctx)
	require.NoError(t, err)
	require.Len(t, eps, 1)
	require.Empty(t, eps[0].Secret, "secrets are shown once")
	require.NoError(t, c.DeleteWebhook(ctx, ep.ID))
	eps, err = c.ListWebhooks(ctx)
	require.NoError(t, err)
	require.Empty(t, eps)

	// Screening with its explanation.
	res, err := c.Screen(ctx, client.ScreeningRequest{Name: "Omar Khalid Al-Samarrai", DateOfBirth: "1968-03-05"})
	require.NoError(t, err)
	require.NotEmpty(t, res.Hits)
	require.Equal(t, "99001", res.Hits[0].EntryID)
	require.NotEmpty(t, res.Hits[0].Explanation.Parts)
	require.Equal(t, "us_ofac", res.Lists[0].List)

	// Blocklist.
	be, err := c.AddBlocklistEntry(ctx, "email", "fraud@example.com", "chargebacks")
	require.NoError(t, err)
	bl, err := c.Blocklist(ctx)
	require.NoError(t, err)
	require.Equal(t, []client.BlocklistEntry{be}, bl)
	require.NoError(t, c.RemoveBlocklistEntry(ctx, be.ID))

	// Data protection: retention, export, biometric deletion, deletion,
	// restore, erasure.
	rt, err := c.SetRetention(ctx, client.Retention{DocumentsDays: 30, PIIDays: 1825, RestoreDays: 14})
	require.NoError(t, err)
	got2, err := c.GetRetention(ctx)
	require.NoError(t, err)
	require.Equal(t, rt, got2)
	_, err = c.SetRetention(ctx, client.Retention{DocumentsDays: 30, PIIDays: 10, RestoreDays: 14})
	require.True(t, client.IsCode(err, "validation_failed"), "%v", err)
	var zipped bytes.Buffer
	require.NoError(t, c.ExportApplicant(ctx, ap.ID, &zipped))
	zr, err := zip.NewReader(bytes.NewReader(zipped.Bytes()), int64(zipped.Len()))
	require.NoError(t, err)
	require.Len(t, zr.File, 3, "export.json and two documents")
	n, err := c.DeleteBiometrics(ctx, ap.ID)
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
	del, err := c.DeleteApplicant(ctx, ap.ID, false)
	require.NoError(t, err)
	require.Equal(t, client.ApplicantDeleted, del.Status)
	require.WithinDuration(t, time.Now().AddDate(0, 0, 14), *del.PurgeAfter, time.Minute)
	back, err := c.RestoreApplicant(ctx, ap.ID)
	require.NoError(t, err)
	require.Equal(t, client.ApplicantActive, back.Status)
	gone, err := c.DeleteApplicant(ctx, ap.ID, true)
	require.NoError(t, err)
	require.Equal(t, client.ApplicantErased, gone.Status)
	require.Empty(t, gone.FirstName)
	err = c.ExportApplicant(ctx, ap.ID, io.Discard)
	require.True(t, client.IsCode(err, "applicant_erased"), "%v", err)

	// Authentication and rate limits are typed too.
	_, err = client.New(srv.URL, "okyc_nope").GetVerification(ctx, v.ID)
	require.True(t, client.IsCode(err, "unauthenticated"), "%v", err)
}

func TestRateLimitError(t *testing.T) {
	t.Parallel()
	a, srv := apptest.Start(t, config.Config{Addr: "127.0.0.1:0", DataDir: t.TempDir(), MaxUploadBytes: 8 << 20, MaxImagePixels: 20_000_000,
		RateLimitMerchant: 0.01, RateLimitMerchantBurst: 1})
	m, err := a.Merchants.Create(context.Background(), "A", "test")
	require.NoError(t, err)
	c := client.New(srv.URL, m.APIKey)
	_, err = c.ListVerifications(context.Background(), client.ListOptions{})
	require.NoError(t, err)
	_, err = c.ListVerifications(context.Background(), client.ListOptions{})
	var e *client.Error
	require.ErrorAs(t, err, &e)
	require.Equal(t, http.StatusTooManyRequests, e.Status)
	require.Equal(t, "rate_limited", e.Code)
	require.Positive(t, e.RetryAfter)
}

// TestWebhookVectors: the Standard Webhooks test vector, rotation (two
// signatures), tampering and stale timestamps.
func TestWebhookVectors(t *testing.T) {
	t.Parallel()
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	const id, body = "msg_p5jXN8AQM9LWM0D4loKWxJek", `{"test": 2432232314}`
	ts := time.Unix(1614265330, 0)
	sig, err := client.SignWebhook(id, ts, []byte(body), secret)
	require.NoError(t, err)
	require.Equal(t, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", sig)
	require.NoError(t, client.VerifyWebhookSignature(secret, id, "1614265330", sig, []byte(body), ts.Add(time.Minute), 5*time.Minute))
	other := "whsec_" + "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	both, err := client.SignWebhook(id, ts, []byte(body), other, secret)
	require.NoError(t, err)
	require.NoError(t, client.VerifyWebhookSignature(secret, id, "1614265330", both, []byte(body), ts, time.Minute))
	require.ErrorIs(t, client.VerifyWebhookSignature(secret, id, "1614265330", sig, []byte(body+" "), ts, time.Minute), client.ErrNoMatch)
	require.ErrorIs(t, client.VerifyWebhookSignature(secret, id, "1614265330", sig, []byte(body), ts.Add(10*time.Minute), 5*time.Minute), client.ErrTimestamp)
	h := http.Header{}
	h.Set("webhook-id", id)
	h.Set("webhook-timestamp", "1614265330")
	h.Set("webhook-signature", sig)
	_, err = client.VerifyWebhook(secret, h, []byte(body))
	require.ErrorIs(t, err, client.ErrTimestamp, "VerifyWebhook uses the real clock: a 2021 message is stale")
}
