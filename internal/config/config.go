// Package config is openkyc's typed configuration, loaded once by the CLI
// (flags, then OPENKYC_* environment variables, then defaults) and passed
// explicitly to the app.
package config

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/openkyc/openkyc/internal/check/tesseract"
	"github.com/openkyc/openkyc/internal/policy"
	"github.com/openkyc/openkyc/internal/tracing"
)

// Config is every setting of the server and the CLI.
type Config struct {
	Addr           string // listen address, OPENKYC_ADDR
	DataDir        string // SQLite database, local blobs, master key; OPENKYC_DATA_DIR
	DatabaseURL    string // postgres://... (scale-out) or empty for SQLite in DataDir; OPENKYC_DATABASE_URL
	BlobURL        string // s3://bucket?... or file://...; empty for DataDir/blobs; OPENKYC_BLOB_URL
	PublicURL      string // external base URL used in links; OPENKYC_PUBLIC_URL
	MasterKey      string // base64 32 bytes; OPENKYC_MASTER_KEY
	MasterKeyFile  string // file holding MasterKey; OPENKYC_MASTER_KEY_FILE
	MaxUploadBytes int64  // per document; OPENKYC_MAX_UPLOAD_BYTES
	MaxImagePixels int64  // per image; OPENKYC_MAX_IMAGE_PIXELS
	// MaxImageBytes caps the memory one decoded image may take (bit depth
	// and channels included); OPENKYC_MAX_IMAGE_BYTES.
	MaxImageBytes int64
	// DecodeMemoryBytes is the memory every image decode of the process
	// draws from (uploads and checks); OPENKYC_DECODE_MEMORY_BYTES.
	DecodeMemoryBytes int64
	LogLevel          string        // debug, info, warn, error; OPENKYC_LOG_LEVEL
	ShutdownTimeout   time.Duration // grace period for in-flight requests

	Workers             bool // serve runs the job workers in-process; OPENKYC_WORKERS
	WorkerConcurrency   int  // jobs run at once per process; OPENKYC_WORKER_CONCURRENCY
	WebhookAllowPrivate bool // deliver to private/loopback addresses; OPENKYC_WEBHOOK_ALLOW_PRIVATE
	WebhookTimeout      time.Duration
	// VerifyTimeout bounds one run of a verification's checks; a worker that
	// dies holds its jobs this long (plus 5 s) before others take them over.
	VerifyTimeout time.Duration
	// WebhookSchedule overrides the retry waits (tests, drills); empty = default.
	WebhookSchedule []time.Duration
	// WebhookLookup resolves webhook and callback hosts when they are
	// registered (nil: the system resolver). Not a setting: tests answer it
	// without DNS.
	WebhookLookup func(ctx context.Context, host string) ([]netip.Addr, error)
	// AssetsDir holds the engines' downloaded assets (tessdata/ocrb_int.traineddata);
	// OPENKYC_ASSETS_DIR, default ./assets (scripts/install-assets.sh fills it).
	AssetsDir string
	// ListsDir holds sanctions and PEP list files loaded at start
	// (OPENKYC_LISTS_DIR; empty: screening reports not_run until lists are loaded).
	ListsDir string
	// ListsMaxAge is the oldest a loaded list may be (since it was fetched or
	// published) for screening to run; older lists make screening.sanctions
	// unavailable (LISTS_STALE) and /readyz degraded (OPENKYC_LISTS_MAX_AGE;
	// the CLI's default 72 h; 0: no limit).
	ListsMaxAge time.Duration
	// RescreenDuty is the share of time a monitoring pass works: after each
	// page it rests so that the API serving beside it keeps its latency
	// (0: DefaultRescreenDuty; 1: as fast as it goes).
	RescreenDuty float64
	// ListsUpdateInterval is how often `openkyc serve` downloads the lists
	// into the lists directory (OPENKYC_LISTS_UPDATE_INTERVAL; the CLI's
	// default 24 h, ±10 %; 0: off). ListSources replaces the default
	// sources (NAME=URL, as `openkyc lists update --source`).
	ListsUpdateInterval time.Duration
	// MetricsMerchantLabels adds the merchant id as a label of the decision
	// metrics (OPENKYC_METRICS_MERCHANT_LABELS; off: one series per level).
	MetricsMerchantLabels bool
	ListSources           map[string]string
	// Tracing exports OpenTelemetry traces (OPENKYC_OTEL_ENDPOINT or the
	// standard OTEL_* variables; off by default).
	Tracing tracing.Config
	// ConsoleIdleTimeout ends a console session unused this long
	// (OPENKYC_CONSOLE_IDLE_TIMEOUT, default 30 min).
	ConsoleIdleTimeout time.Duration
	// ConsoleSessionMaxAge ends a console session this long after sign-in
	// (OPENKYC_CONSOLE_SESSION_MAX_AGE, default 12 h).
	ConsoleSessionMaxAge time.Duration
	// Rate limits of the API surfaces (requests per second and burst, per
	// merchant and per client address); 0 turns a limit off. The CLI's
	// defaults are ratelimit.Defaults.
	RateLimitMerchant      float64
	RateLimitMerchantBurst int
	RateLimitAddress       float64
	RateLimitAddressBurst  int
	// NoLists leaves the lists unloaded (CLI commands that do not screen).
	NoLists bool
	// HostedMRZTimeout bounds the MRZ reading of a hosted-page upload that
	// asks at once for a better photo (OPENKYC_HOSTED_MRZ_TIMEOUT, default
	// 3 s, at most 30 s); past it the page says nothing of the MRZ.
	HostedMRZTimeout time.Duration
	// MRZTimeout bounds the MRZ reading of one image in the pipeline and
	// openkyc check document: locating and every OCR pass; past it the best
	// reading so far is used (OPENKYC_MRZ_TIMEOUT, default 10 s, 1 s to
	// 2 min).
	MRZTimeout time.Duration
	// MRZFont is the OCR-B font file of the glyph matcher, the MRZ
	// reader's second opinion on small text (OPENKYC_MRZ_FONT, default
	// Debian fonts-ocr-b's; empty turns it off). A font that cannot be
	// loaded leaves tesseract reading alone, with a warning.
	MRZFont string
	// OCR is how tesseract runs (OPENKYC_OCR): "auto" (the default) in
	// worker processes keeping libtesseract loaded, when it loads, else
	// the tesseract program; "program" always the program, one process per
	// recognition.
	OCR string
	// OCREngines is how many loaded tesseract engines each tesseract
	// worker keeps idle for reuse (OPENKYC_OCR_ENGINES, default 32, 1 to
	// 1024): about 13–21 MB each, 55 MB with Chinese.
	OCREngines int
	// BuiltInLevels gives the built-in levels (nil: policy.BuiltIn). Not a
	// setting: tests that run without engines relax them (apptest).
	BuiltInLevels func(name string) (policy.Level, bool)
}

// Defaults.
const (
	DefaultAddr           = "127.0.0.1:8080"
	DefaultDataDir        = "./var"
	DefaultMaxUploadBytes = 10 << 20
	DefaultMaxImagePixels = 40_000_000
	DefaultMaxImageBytes  = 192 << 20
	DefaultDecodeMemory   = 512 << 20
	DefaultAssetsDir      = "./assets"
	// DefaultHostedMRZTimeout: OCR of an MRZ takes 0.3–1 s on one core.
	DefaultHostedMRZTimeout = 3 * time.Second
	// DefaultMRZTimeout: most images read in under 1 s on one core, the
	// hardest (turned, several zones, the fallback) in 2–4 s.
	DefaultMRZTimeout = 10 * time.Second
)

// DefaultRescreenDuty is the share of time a monitoring pass works by
// default: half, which kept the API's p99 within twice its own while a
// million applicants were screened again (bench/results/monitoring.md).
const DefaultRescreenDuty = 0.5

// Validate checks the settings and fills in derived defaults.
func (c *Config) Validate() error {
	var errs []error
	if c.DataDir == "" {
		errs = append(errs, errors.New("data-dir: must not be empty"))
	}
	if c.AssetsDir == "" {
		c.AssetsDir = DefaultAssetsDir
	}
	if _, _, err := net.SplitHostPort(c.Addr); c.Addr != "" && err != nil {
		errs = append(errs, fmt.Errorf("addr: %q is not host:port", c.Addr))
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") &&
		!strings.HasPrefix(c.DatabaseURL, "sqlite:") && !strings.HasPrefix(c.DatabaseURL, "file:") {
		errs = append(errs, errors.New("database-url: must start with postgres://, postgresql://, sqlite: or file:"))
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, errors.New("public-url: must be an absolute http(s) URL"))
		}
	}
	if c.MaxUploadBytes <= 0 || c.MaxUploadBytes > 100<<20 {
		errs = append(errs, errors.New("max-upload-bytes: must be between 1 and 104857600"))
	}
	if c.MaxImagePixels <= 0 || c.MaxImagePixels > 200_000_000 {
		errs = append(errs, errors.New("max-image-pixels: must be between 1 and 200000000"))
	}
	if c.MaxImageBytes == 0 {
		c.MaxImageBytes = DefaultMaxImageBytes
	}
	if c.DecodeMemoryBytes == 0 {
		c.DecodeMemoryBytes = DefaultDecodeMemory
	}
	if c.MaxImageBytes < 1<<20 {
		errs = append(errs, errors.New("max-image-bytes: must be at least 1048576"))
	}
	if c.DecodeMemoryBytes < c.MaxImageBytes {
		errs = append(errs, errors.New("decode-memory-bytes: must be at least max-image-bytes (one image must fit)"))
	}
	if err := c.Tracing.Validate(); err != nil {
		errs = append(errs, err)
	}
	switch c.LogLevel {
	case "", "debug", "info", "warn", "error":
	default:
		errs = append(errs, errors.New("log-level: must be debug, info, warn or error"))
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Addr
	}
	if c.ShutdownTimeout <= 0 {
		c.ShutdownTimeout = 20 * time.Second
	}
	if c.WorkerConcurrency < 0 || c.WorkerConcurrency > 256 {
		errs = append(errs, errors.New("worker-concurrency: must be between 1 and 256"))
	}
	if c.WorkerConcurrency == 0 {
		c.WorkerConcurrency = 16
	}
	if c.WebhookTimeout <= 0 {
		c.WebhookTimeout = 5 * time.Second
	}
	if c.ConsoleIdleTimeout <= 0 {
		c.ConsoleIdleTimeout = 30 * time.Minute
	}
	if c.ConsoleSessionMaxAge <= 0 {
		c.ConsoleSessionMaxAge = 12 * time.Hour
	}
	if c.ConsoleIdleTimeout > c.ConsoleSessionMaxAge {
		errs = append(errs, errors.New("console-idle-timeout: must not exceed console-session-max-age"))
	}
	if c.RateLimitMerchant < 0 || c.RateLimitAddress < 0 || c.RateLimitMerchantBurst < 0 || c.RateLimitAddressBurst < 0 {
		errs = append(errs, errors.New("rate-limit-*: must not be negative (0 turns a limit off)"))
	}
	if c.VerifyTimeout <= 0 {
		c.VerifyTimeout = time.Minute
	}
	if c.HostedMRZTimeout <= 0 {
		c.HostedMRZTimeout = DefaultHostedMRZTimeout
	}
	if c.MRZTimeout <= 0 {
		c.MRZTimeout = DefaultMRZTimeout
	}
	switch c.OCR {
	case "":
		c.OCR = tesseract.ModeAuto
	case tesseract.ModeAuto, tesseract.ModeProgram:
	default:
		errs = append(errs, fmt.Errorf("ocr: must be %s or %s", tesseract.ModeAuto, tesseract.ModeProgram))
	}
	if c.RescreenDuty == 0 {
		c.RescreenDuty = DefaultRescreenDuty
	}
	if c.RescreenDuty < 0.05 || c.RescreenDuty > 1 {
		errs = append(errs, errors.New("rescreen-duty: must be between 0.05 and 1 (the share of time a monitoring pass works; 1: as fast as it goes)"))
	}
	if c.OCREngines == 0 {
		c.OCREngines = tesseract.DefaultIdleEngines
	}
	if c.OCREngines < 1 || c.OCREngines > 1024 {
		errs = append(errs, errors.New("ocr-engines: must be between 1 and 1024"))
	}
	if c.ListsUpdateInterval < 0 {
		errs = append(errs, errors.New("lists-update-interval: must not be negative (0: off)"))
	} else if c.ListsUpdateInterval > 0 && c.ListsUpdateInterval < time.Minute {
		errs = append(errs, errors.New("lists-update-interval: at least 1m (the lists' publishers are not to be hammered)"))
	}
	if c.ListsMaxAge < 0 {
		errs = append(errs, errors.New("lists-max-age: must not be negative (0: no limit)"))
	}
	if c.MRZTimeout < time.Second || c.MRZTimeout > 2*time.Minute {
		errs = append(errs, errors.New("mrz-timeout: must be between 1s and 2m"))
	}
	if c.HostedMRZTimeout > 30*time.Second {
		errs = append(errs, errors.New("hosted-mrz-timeout: must be at most 30s (the upload waits for it)"))
	}
	return errors.Join(errs...)
}
