// Package app wires openkyc together: it opens the store (migrating it), the
// master key and keyring, blob storage and the services, and serves HTTP with
// graceful shutdown.
package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"github.com/openkyc/openkyc/internal/analytics"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/openkyc/openkyc/internal/api"
	"github.com/openkyc/openkyc/internal/applicant"
	"github.com/openkyc/openkyc/internal/blob"
	"github.com/openkyc/openkyc/internal/check"
	"github.com/openkyc/openkyc/internal/check/barcode"
	"github.com/openkyc/openkyc/internal/check/docdata"
	"github.com/openkyc/openkyc/internal/check/document"
	"github.com/openkyc/openkyc/internal/check/face"
	"github.com/openkyc/openkyc/internal/check/mrz"
	"github.com/openkyc/openkyc/internal/check/tesseract"
	"github.com/openkyc/openkyc/internal/check/viz"
	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/crypto"
	"github.com/openkyc/openkyc/internal/dialect/cardbinding"
	"github.com/openkyc/openkyc/internal/dialect/kycsharing"
	"github.com/openkyc/openkyc/internal/dialect/paycools"
	"github.com/openkyc/openkyc/internal/dialect/vexora"
	"github.com/openkyc/openkyc/internal/docfile"
	"github.com/openkyc/openkyc/internal/hostedlink"
	"github.com/openkyc/openkyc/internal/httpmw"
	"github.com/openkyc/openkyc/internal/idempotency"
	"github.com/openkyc/openkyc/internal/jobs"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/level"
	"github.com/openkyc/openkyc/internal/merchant"
	"github.com/openkyc/openkyc/internal/ratelimit"
	"github.com/openkyc/openkyc/internal/review"
	"github.com/openkyc/openkyc/internal/screening"
	"github.com/openkyc/openkyc/internal/staff"
	"github.com/openkyc/openkyc/internal/store"
	"github.com/openkyc/openkyc/internal/tracing"
	"github.com/openkyc/openkyc/internal/verification"
	"github.com/openkyc/openkyc/internal/web/console"
	"github.com/openkyc/openkyc/internal/web/hosted"
	"github.com/openkyc/openkyc/internal/webhook"
)

// App is a running openkyc.
type App struct {
	Config        config.Config
	Log           *slog.Logger
	Store         *store.Store
	Keys          *crypto.Keyring
	Master        *crypto.MasterKeys
	Blobs         *blob.Store
	Merchants     *merchant.Service
	Verifications *verification.Service
	Erasure       *verification.Erasure
	Webhooks      *webhook.Service
	Links         *hostedlink.Service
	Applicants    *applicant.Service
	Levels        *level.Service
	Idempotency   *idempotency.Service
	MRZ           *mrz.Engine
	Barcode       *barcode.Engine
	VIZ           *viz.Engine
	Face          *face.Checks
	Screening     *screening.Screener
	Staff         *staff.Service
	Review        *review.Service
	Limits        *ratelimit.Limiter
	Decode        *docfile.Budget // the memory of every image decode of the process
	Tracing       *tracing.Provider
	// dialects are built once: their callbacks are registered with the
	// webhook service at start and their routes mounted with the others.
	dialects struct {
		payCools    *paycools.Dialect
		vexora      *vexora.Dialect
		kycSharing  *kycsharing.Dialect
		cardBinding *cardbinding.Dialect
	}
	Worker       *jobs.Worker
	registry     *prometheus.Registry
	decisions    *verification.Metrics
	listsUpdater *screening.Updater // nil: no scheduled list update
	handlerOnce  sync.Once
	handler      http.Handler
}

// OpenStore opens and migrates the database only (CLI commands that need no keys).
func OpenStore(ctx context.Context, cfg config.Config) (*store.Store, error) {
	s, err := store.Open(ctx, store.Config{URL: cfg.DatabaseURL, DataDir: cfg.DataDir})
	if err != nil {
		return nil, err
	}
	if _, err := s.Migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Open builds the app from its configuration.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	s, err := OpenStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	tp, err := tracing.New(ctx, cfg.Tracing)
	if err != nil {
		s.Close()
		return nil, err
	}
	a := &App{Config: cfg, Log: log, Store: s, Tracing: tp}
	if err := a.openRest(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := a.sealExternalIDs(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return a, nil
}

// sealExternalIDs hashes and seals the external ids that rows written
// before migration 00015 hold in clear (a no-op once done).
func (a *App) sealExternalIDs(ctx context.Context) error {
	rep, err := a.Applicants.SealExternalIDs(ctx)
	if err != nil {
		return fmt.Errorf("seal external ids: %w", err)
	}
	if rep.Sealed > 0 {
		a.Log.Info("external user ids sealed", "count", rep.Sealed)
	}
	if rep.Failed > 0 {
		a.Log.Warn("external user ids left in clear", "count", rep.Failed, "error", rep.Err)
	}
	return nil
}

func (a *App) openRest(ctx context.Context) error {
	cfg := a.Config
	var err error
	if a.Master, err = crypto.OpenMasterKey(crypto.MasterKeySource{Value: cfg.MasterKey, File: cfg.MasterKeyFile, DataDir: cfg.DataDir}); err != nil {
		return err
	}
	if a.Keys, err = crypto.OpenKeyring(ctx, a.Master, a.Store); err != nil {
		return err
	}
	blobURL := cfg.BlobURL
	if blobURL == "" {
		if blobURL, err = blob.URLForDataDir(cfg.DataDir); err != nil {
			return err
		}
	}
	if a.Blobs, err = blob.Open(ctx, blobURL, a.Keys); err != nil {
		return err
	}
	a.Merchants = merchant.New(a.Store, a.Keys, nil)
	a.Merchants.AllowPrivateCallbacks = cfg.WebhookAllowPrivate
	a.Merchants.CallbackURLs = webhook.URLValidator{Lookup: cfg.WebhookLookup}
	a.Limits = ratelimit.New(ratelimit.Config{MerchantRate: cfg.RateLimitMerchant, MerchantBurst: cfg.RateLimitMerchantBurst,
		AddressRate: cfg.RateLimitAddress, AddressBurst: cfg.RateLimitAddressBurst}, nil)
	a.Merchants.Limits = a.Limits
	ocr := tesseract.For(cfg.OCR, "")
	if ws, ok := ocr.(*tesseract.Workers); ok {
		ws.SetIdleEngines(cfg.OCREngines)
	}
	a.MRZ = &mrz.Engine{Reader: mrz.Reader{TessdataDir: filepath.Join(cfg.AssetsDir, "tessdata"), Timeout: cfg.MRZTimeout, OCR: ocr}}
	if cfg.MRZFont != "" {
		if a.MRZ.Reader.Glyphs, err = mrz.LoadGlyphFont(cfg.MRZFont); err != nil {
			a.Log.Warn("MRZ glyph matcher off: small MRZ text is read by tesseract alone (apt-get install fonts-ocr-b, or set mrz-font)", "err", err)
			err = nil
		}
	}
	a.Barcode = &barcode.Engine{}
	// the printed zone is compared with the document's other zones
	a.VIZ = &viz.Engine{Reader: &viz.Reader{Timeout: cfg.MRZTimeout, OCR: ocr}, Zones: []docdata.Source{a.MRZ, a.Barcode}}
	a.Face = &face.Checks{Config: face.Config{RuntimeLib: filepath.Join(cfg.AssetsDir, "onnxruntime", "libonnxruntime.so.1"),
		ModelsDir: filepath.Join(cfg.AssetsDir, "models")}}
	a.Screening = screening.NewScreener()
	a.Decode = docfile.NewBudget(cfg.DecodeMemoryBytes)
	a.decisions = verification.NewMetrics(cfg.MetricsMerchantLabels)
	a.Applicants = applicant.New(a.Store, a.Keys, a.Blobs, applicant.Config{
		Limits:       docfile.Limits{MaxBytes: cfg.MaxUploadBytes, MaxPixels: cfg.MaxImagePixels, MaxImageBytes: cfg.MaxImageBytes},
		DecodeBudget: a.Decode,
	})
	a.Levels = level.New(a.Store, cfg.BuiltInLevels, nil)
	a.Verifications = verification.NewService(a.Store, a.Keys, a.Blobs, verification.Config{
		Applicants: a.Applicants,
		Levels:     a.Levels,
		Extra: slices.Concat(a.MRZ.Checkers(), a.Barcode.Checkers(), a.VIZ.Checkers(),
			[]check.Checker{docdata.Consistency{Sources: []docdata.Source{a.MRZ, a.Barcode, a.VIZ}}, docdata.Classification{Sources: []docdata.Source{a.MRZ, a.Barcode, a.VIZ}}},
			document.Checkers(), a.Face.Checkers(), []check.Checker{screening.Check{Screener: a.Screening, MaxAge: cfg.ListsMaxAge}}),
		Dates:   docdata.Dates(a.MRZ, a.Barcode),
		Metrics: a.decisions,
	})
	a.Erasure = verification.NewErasure(a.Verifications)
	// Lists load once the verification service is there: loading them
	// records their versions and queues the rescreen through it.
	a.Screening.OnChange(a.enqueueRescreen)
	if dir := a.ListsDir(); dir != "" && !cfg.NoLists {
		t0 := time.Now()
		set, err := a.Screening.LoadDir(dir)
		if err != nil {
			return fmt.Errorf("lists-dir: %w", err)
		}
		for _, v := range set.Versions {
			a.Log.Info("sanctions list loaded", "list", v.List, "entries", v.Entries, "names", v.Names, "sha256", v.SHA256[:12],
				"published", v.Published.Format("2006-01-02"))
		}
		a.Log.Info("sanctions lists ready", "lists", len(set.Versions), "took", time.Since(t0).String())
	}
	limitMemory(a.Log, cfg.DecodeMemoryBytes) // measured once the lists are in
	a.Staff = staff.New(a.Store)
	a.Review = review.New(a.Store, a.Verifications, a.Applicants, a.Keys, a.Screening)
	a.Links = hostedlink.New(a.Store, cfg.PublicURL, cfg.WebhookAllowPrivate, nil)
	a.Idempotency = idempotency.New(a.Store, nil)
	a.Webhooks = webhook.New(a.Store, a.Keys, a.Log, webhook.Config{
		Timeout: cfg.WebhookTimeout, Schedule: cfg.WebhookSchedule, AllowPrivate: cfg.WebhookAllowPrivate, Lookup: cfg.WebhookLookup,
	})
	a.dialects.payCools = paycools.New(paycools.Config{Merchants: a.Merchants, Core: a.Verifications, Applicants: a.Applicants, Links: a.Links, Hasher: a.Keys,
		PublicURL: cfg.PublicURL, AllowPrivate: cfg.WebhookAllowPrivate, ValidateURL: a.Merchants.CallbackURLs.Validate})
	a.dialects.vexora = vexora.New(vexora.Config{Merchants: a.Merchants, Core: a.Verifications, Applicants: a.Applicants, PublicURL: cfg.PublicURL,
		AllowPrivate: cfg.WebhookAllowPrivate, MaxFileBytes: cfg.MaxUploadBytes, ValidateURL: a.Merchants.CallbackURLs.Validate, Link: a.hostedLink})
	a.dialects.kycSharing = kycsharing.New(kycsharing.Config{Merchants: a.Merchants, Core: a.Verifications, Applicants: a.Applicants,
		AllowPrivate: cfg.WebhookAllowPrivate, ValidateURL: a.Merchants.CallbackURLs.Validate})
	a.dialects.cardBinding = cardbinding.New(cardbinding.Config{Merchants: a.Merchants, Nonces: a.Store, Core: a.Verifications, Applicants: a.Applicants})
	a.Webhooks.Register(kyc.SurfacePayCools, a.dialects.payCools.Callbacks())
	a.Webhooks.Register(kyc.SurfaceVexora, a.dialects.vexora.Callbacks())
	a.Webhooks.Register(kyc.SurfaceKYCSharing, a.dialects.kycSharing.Callbacks())
	a.Webhooks.Register(kyc.SurfaceCardBinding, a.dialects.cardBinding.Callbacks())
	kinds := append([]jobs.Kind{{
		Name: jobs.KindVerify, Timeout: cfg.VerifyTimeout, MaxAttempts: 10,
		Handle: func(ctx context.Context, j jobs.Job) error {
			return a.Verifications.Process(ctx, j.MerchantID, j.SubjectID)
		},
	}, {
		Name: jobs.KindRescreen, Timeout: 30 * time.Minute, MaxAttempts: 5,
		Handle: func(ctx context.Context, j jobs.Job) error {
			st, err := a.Verifications.RescreenRun(ctx, screening.Check{Screener: a.Screening, MaxAge: cfg.ListsMaxAge},
				verification.RescreenOptions{Run: j.ID, Duty: cfg.RescreenDuty})
			if errors.Is(err, screening.ErrNoLists) {
				return nil // this process has no lists; the process that enqueued it will be configured alike
			}
			a.Log.Info("continuous screening pass", "screened", st.Screened, "alerts", st.Alerts, "resumed", st.Resumed)
			return err
		},
	}}, a.Webhooks.Kinds()...)
	a.Worker = jobs.NewWorker(a.Store, a.Log, jobs.Config{Concurrency: cfg.WorkerConcurrency, Tracer: a.Tracing}, kinds...)
	a.registry = prometheus.NewRegistry()
	a.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		jobs.NewCollector(a.Store),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "openkyc_decode_memory_in_use_bytes",
			Help: "Bytes of the image decode budget taken now (--decode-memory-bytes)."}, func() float64 { return float64(a.Decode.InUse()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "openkyc_decode_memory_bytes",
			Help: "Size of the image decode budget (--decode-memory-bytes)."}, func() float64 { return float64(a.Decode.Total()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "openkyc_decode_busy_total",
			Help: "Decodes refused because the budget stayed taken (answered 429)."}, func() float64 { return float64(a.Decode.Refused()) }))
	a.registry.MustRegister(a.decisions.Collectors()...)
	a.registry.MustRegister(screening.NewCollector(a.Screening))
	if cfg.ListsUpdateInterval > 0 && !cfg.NoLists {
		a.listsUpdater = screening.NewUpdater(a.listsPath(), cfg.ListsUpdateInterval, a.Log)
		a.listsUpdater.Sources = cfg.ListSources
		a.registry.MustRegister(a.listsUpdater.Collectors()...)
	}
	return nil
}

// limitMemory gives the Go runtime a soft memory limit of the decode
// budget plus room for the rest of the process — at least processMemory,
// or twice what the heap holds once the lists are loaded — unless the
// operator set GOMEMLIMIT: the collector then returns the pixels of finished
// decodes before the heap grows to twice what the budget holds.
func limitMemory(log *slog.Logger, decodeMemory int64) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	limit := decodeMemory + max(processMemory, 2*int64(ms.HeapAlloc))
	if cur := debug.SetMemoryLimit(-1); cur < limit {
		return // a tighter limit is already set
	}
	debug.SetMemoryLimit(limit)
	log.Debug("soft memory limit set", "bytes", limit)
}

// processMemory is the least limitMemory allows beyond the decode budget.
const processMemory = 256 << 20

// listsPath is where the lists live: --lists-dir, else <data-dir>/lists
// (where `openkyc lists import` and `update` install them).
func (a *App) listsPath() string {
	if a.Config.ListsDir != "" {
		return a.Config.ListsDir
	}
	return filepath.Join(a.Config.DataDir, "lists")
}

// ListsDir is the lists directory to load at start: listsPath when it
// exists (or was given), "" otherwise.
func (a *App) ListsDir() string {
	if a.Config.ListsDir != "" {
		return a.Config.ListsDir
	}
	if fi, err := os.Stat(a.listsPath()); err == nil && fi.IsDir() {
		return a.listsPath()
	}
	return ""
}

// ListsPollInterval is how often a server looks for changed list files.
var ListsPollInterval = time.Minute

// WatchLists reloads the lists when their files change (an import, an
// update, or an operator's copy), until ctx ends.
func (a *App) WatchLists(ctx context.Context) {
	a.Screening.Watch(ctx, a.listsPath(), ListsPollInterval,
		func(err error) { a.Log.Error("sanctions lists not reloaded; the previous ones stay", "error", err) },
		func(set *screening.Set) {
			for _, v := range set.Versions {
				a.Log.Info("sanctions list reloaded", "list", v.List, "entries", v.Entries, "sha256", v.SHA256[:12])
			}
		})
}

// enqueueRescreen records the loaded list versions and queues one
// monitoring pass per set of versions: the job id is derived from the
// versions, so replicas loading the same lists, and restarts, enqueue it
// once.
func (a *App) enqueueRescreen(_, versions []screening.Version) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := a.Verifications.ListsLoaded(ctx, versions); err != nil {
		a.Log.Error("could not queue continuous screening", "error", err)
	}
}

// RunWorkers runs the job workers until ctx ends. Jobs enqueued by this
// process start at once; others are found by polling.
func (a *App) RunWorkers(ctx context.Context) error {
	if a.Store.Engine() == store.SQLite {
		// One process runs SQLite's workers: leases still held were held by a
		// process that died, and their jobs can run again now.
		n, err := a.Store.ReleaseAllLeases(ctx, time.Now())
		if err != nil {
			return err
		}
		if n > 0 {
			a.Log.Warn("released jobs of a previous process", "count", n)
		}
	}
	a.Store.OnJobsInserted(a.Worker.Wake)
	a.Log.Info("workers running", "concurrency", a.Config.WorkerConcurrency)
	if ocr := a.MRZ.Reader.OCR; ocr != nil {
		if ws, ok := ocr.(*tesseract.Workers); ok {
			a.Log.Info("OCR", "tesseract", ocr.Mode(), "libtesseract", ws.Version())
		} else if _, err := tesseract.SharedWorkers(); err != nil && a.Config.OCR == tesseract.ModeAuto {
			a.Log.Info("OCR", "tesseract", ocr.Mode(), "reason", err.Error())
		} else {
			a.Log.Info("OCR", "tesseract", ocr.Mode())
		}
	}
	if err := a.MRZ.Reader.Available(); err != nil {
		a.Log.Warn("MRZ reading is off: document.mrz and data.consistency report not_run", "reason", err.Error())
	}
	if err := a.Barcode.Reader.Available(); err != nil {
		a.Log.Warn("barcode reading is off: document.barcode reports not_run", "reason", err.Error())
	}
	if err := a.Face.Config.Available(); err != nil {
		a.Log.Warn("the face engine is off: face.match reports not_run", "reason", err.Error())
	}
	return a.Worker.Run(ctx)
}

// Close exports the spans still buffered and releases the store and the
// bucket.
func (a *App) Close() error {
	var err error
	if a.Tracing != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if terr := a.Tracing.Shutdown(ctx); terr != nil {
			a.Log.Warn("exporting the last traces failed", "error", terr)
		}
		cancel()
	}
	if a.Blobs != nil {
		err = a.Blobs.Close()
	}
	return errors.Join(err, a.Store.Close())
}

// Handler is every HTTP route of the server (built once).
func (a *App) Handler() http.Handler {
	a.handlerOnce.Do(func() { a.handler = a.buildHandler() })
	return a.handler
}

func (a *App) buildHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
	mux.HandleFunc("GET /readyz", a.ready)
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.registry, promhttp.HandlerOpts{}))
	api.Mount(mux, api.Deps{Merchants: a.Merchants, Verifications: a.Verifications, Erasure: a.Erasure, Applicants: a.Applicants, Levels: a.Levels, Webhooks: a.Webhooks, Idempotency: a.Idempotency, Keys: a.Keys,
		Links: a.Links, Screening: a.Screening})
	a.dialects.vexora.Routes(mux)
	a.dialects.cardBinding.Routes(mux)
	a.dialects.payCools.Routes(mux)
	a.dialects.kycSharing.Routes(mux)
	hosted.New(a.Links, a.Verifications, a.Applicants, hosted.Config{MaxUploadBytes: a.Config.MaxUploadBytes, Limits: a.Limits,
		MRZ: a.MRZ.Reader, MRZTimeout: a.Config.HostedMRZTimeout}).Routes(mux)
	console.New(console.Deps{Keys: a.Keys, Staff: a.Staff, Review: a.Review, Verifications: a.Verifications, Erasure: a.Erasure, Applicants: a.Applicants, Levels: a.Levels,
		Merchants: a.Merchants, Webhooks: a.Webhooks, Screening: a.Screening, Links: a.Links, Analytics: analytics.New(a.Store), Log: a.Log, Degraded: a.Degraded},
		console.Config{IdleTimeout: a.Config.ConsoleIdleTimeout, MaxAge: a.Config.ConsoleSessionMaxAge}).Routes(mux)
	// The client address goes into the context before the middleware, which
	// reads the route pattern the mux sets on the request it passes on.
	wrapped := httpmw.Wrap(mux, a.Log, httpmw.NewMetrics(a.registry), a.Tracing)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { wrapped.ServeHTTP(w, ratelimit.WithAddress(r)) })
}

func (a *App) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	status, code := "ready", http.StatusOK
	if err := a.Store.Ping(ctx); err != nil {
		status, code = "database unreachable", http.StatusServiceUnavailable
	} else if ok, err := a.Store.MigrationsCurrent(ctx); err != nil || !ok {
		status, code = "migrations pending", http.StatusServiceUnavailable
	} else if err := a.Blobs.Ping(ctx); err != nil {
		status, code = "blob storage unreachable", http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	var reasons []string
	if code == http.StatusOK {
		if reasons = a.Degraded(); len(reasons) > 0 {
			status = "degraded"
		}
	}
	w.WriteHeader(code)
	body := map[string]any{"status": status}
	if len(reasons) > 0 {
		body["reasons"] = reasons
	}
	_ = json.NewEncoder(w).Encode(body)
}

// Degraded says what makes checks unavailable on this replica: missing
// sanctions lists, OCR pieces or face models. Verifications whose level
// enables those checks go to review (CHECK_UNAVAILABLE) until fixed; the
// server still serves (/readyz answers 200 "degraded").
func (a *App) Degraded() []string {
	var out []string
	if a.Screening == nil || !a.Screening.Loaded() {
		out = append(out, "screening.sanctions: no sanctions lists loaded (openkyc lists update, or openkyc lists import DIR)")
	} else {
		for _, s := range a.Screening.Stale(a.Config.ListsMaxAge, time.Now()) {
			out = append(out, "screening.sanctions: stale list: "+s)
		}
	}
	if a.MRZ != nil {
		if err := a.MRZ.Reader.Available(); err != nil {
			out = append(out, "document.mrz: "+err.Error())
		}
	}
	if a.Face != nil {
		if err := a.Face.Err(); err != nil {
			out = append(out, "face: "+err.Error())
		}
	}
	return out
}

// JobRetention is how long finished jobs stay in the queue table.
const JobRetention = 7 * 24 * time.Hour

// housekeeping removes expired idempotency records, nonces, console
// sessions and old finished jobs, re-wraps data keys after a master key
// rotation, applies retention (purges of deleted applicants, merchants'
// retention settings) and reaps the blobs of uploads a crash left
// unrecorded, at start and then every hour.
func (a *App) housekeeping(ctx context.Context) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		n, err := a.Idempotency.Purge(ctx)
		if err != nil && ctx.Err() == nil {
			a.Log.Warn("idempotency purge failed", "error", err)
		} else if n > 0 {
			a.Log.Info("idempotency keys purged", "count", n)
		}
		n, err = a.Store.PurgeNonces(ctx, time.Now())
		if err != nil && ctx.Err() == nil {
			a.Log.Warn("nonce purge failed", "error", err)
		}
		n, err = a.Store.PurgeStaffSessions(ctx, time.Now(), time.Now().Add(-a.Config.ConsoleIdleTimeout))
		if err != nil && ctx.Err() == nil {
			a.Log.Warn("console session purge failed", "error", err)
		}
		if k, err := crypto.Rewrap(ctx, a.Master, a.Store); err != nil && ctx.Err() == nil {
			a.Log.Warn("re-wrapping data keys failed", "error", err)
		} else if k > 0 {
			a.Log.Info("data keys re-wrapped with the active master key", "count", k, "master_version", a.Master.Active())
		}
		rep, err := a.Erasure.RunRetention(ctx, a.Log)
		if err != nil && ctx.Err() == nil {
			a.Log.Warn("retention run failed", "error", err)
		} else if rep.Purged+rep.DocumentsErased+rep.Errors > 0 {
			a.Log.Info("retention applied", "purged", rep.Purged, "documents_erased", rep.DocumentsErased, "errors", rep.Errors)
		}
		if k, err := a.Applicants.ReapUploads(ctx, 0); err != nil && ctx.Err() == nil {
			a.Log.Warn("reaping unrecorded uploads failed", "error", err)
		} else if k > 0 {
			a.Log.Info("unrecorded uploads reaped", "count", k)
		}
		if _, err := a.Store.CompactAnalytics(ctx, store.Day(time.Now())); err != nil && ctx.Err() == nil {
			a.Log.Warn("compacting analytics counters failed", "error", err)
		}
		n, err = a.Store.PurgeJobs(ctx, time.Now().Add(-JobRetention))
		if err != nil && ctx.Err() == nil {
			a.Log.Warn("job purge failed", "error", err)
		} else if n > 0 {
			a.Log.Info("finished jobs purged", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Serve listens on the configured address until ctx ends, then drains
// in-flight requests for up to the shutdown timeout.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           a.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // a 10 MB upload over a slow mobile link
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	go a.housekeeping(ctx)
	go a.WatchLists(ctx)
	if a.listsUpdater != nil {
		go a.listsUpdater.Run(ctx)
	}
	workersDone := make(chan struct{})
	if a.Config.Workers {
		go func() {
			defer close(workersDone)
			if err := a.RunWorkers(ctx); err != nil {
				a.Log.Error("workers stopped", "error", err)
			}
		}()
	} else {
		close(workersDone)
	}
	defer func() { <-workersDone }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down", "grace", a.Config.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
