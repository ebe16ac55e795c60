// Package cli defines the openkyc command line: serve, migrate, merchant and
// audit commands sharing one set of storage flags.
package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	ucli "github.com/urfave/cli/v3"

	"github.com/openkyc/openkyc/internal/app"
	"github.com/openkyc/openkyc/internal/check/mrz"
	"github.com/openkyc/openkyc/internal/check/tesseract"
	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/merchant"
	"github.com/openkyc/openkyc/internal/ratelimit"
	"github.com/openkyc/openkyc/internal/tracing"
)

// storageFlags are shared by every command that touches the store, so each
// works against a running server's data.
func storageFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: "data-dir", Value: config.DefaultDataDir, Sources: ucli.EnvVars("OPENKYC_DATA_DIR"),
			Usage: "directory of the embedded SQLite database, local documents and the generated master key"},
		&ucli.StringFlag{Name: "database-url", Sources: ucli.EnvVars("OPENKYC_DATABASE_URL"),
			Usage: "postgres://user@host/db for PostgreSQL; empty for SQLite in the data directory"},
		&ucli.StringFlag{Name: "blob-url", Sources: ucli.EnvVars("OPENKYC_BLOB_URL"),
			Usage: "s3://bucket?region=..&endpoint=..&use_path_style=true for S3-compatible storage; empty for <data-dir>/blobs"},
		&ucli.StringFlag{Name: "master-key", Sources: ucli.EnvVars("OPENKYC_MASTER_KEY"),
			Usage: "base64 of 32 random bytes that wraps the data keys, or versions \"v2:<base64>,v1:<base64>\" during a rotation (default: <data-dir>/master.key, created on first start)"},
		&ucli.StringFlag{Name: "master-key-file", Sources: ucli.EnvVars("OPENKYC_MASTER_KEY_FILE"),
			Usage: "file holding the master key in base64, one version per line (openkyc keys rotate adds one)"},
		&ucli.StringFlag{Name: "log-level", Value: "info", Sources: ucli.EnvVars("OPENKYC_LOG_LEVEL"), Usage: "debug, info, warn or error"},
	}
}

// allowPrivateFlag lets webhook and callback targets be internal: the
// server's delivery and, for the commands that register targets, their checks.
func allowPrivateFlag() ucli.Flag {
	return &ucli.BoolFlag{Name: "webhook-allow-private", Sources: ucli.EnvVars("OPENKYC_WEBHOOK_ALLOW_PRIVATE"),
		Usage: "allow webhook and callback targets on private, loopback and link-local addresses and local or metadata names, and plain http (development only)"}
}

// workerFlags configure the job workers and webhook delivery.
func workerFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.IntFlag{Name: "worker-concurrency", Value: 16, Sources: ucli.EnvVars("OPENKYC_WORKER_CONCURRENCY"), Usage: "jobs (checks, deliveries) run at once by this process"},
		allowPrivateFlag(),
		&ucli.DurationFlag{Name: "webhook-timeout", Value: 5 * time.Second, Sources: ucli.EnvVars("OPENKYC_WEBHOOK_TIMEOUT"), Usage: "timeout of one webhook delivery attempt"},
		&ucli.StringFlag{Name: "assets-dir", Value: config.DefaultAssetsDir, Sources: ucli.EnvVars("OPENKYC_ASSETS_DIR"),
			Usage: "engines' assets (tessdata/ocrb_int.traineddata from scripts/install-assets.sh); without them the MRZ checks report not_run"},
		&ucli.StringFlag{Name: "lists-dir", Sources: ucli.EnvVars("OPENKYC_LISTS_DIR"),
			Usage: "sanctions and PEP list files (OFAC sdn.csv/sdn.xml, UN, EU, UK XML/CSV, OpenSanctions *.json) loaded at start; without them screening reports not_run"},
		&ucli.DurationFlag{Name: "lists-max-age", Value: 72 * time.Hour, Sources: ucli.EnvVars("OPENKYC_LISTS_MAX_AGE"),
			Usage: "oldest a loaded sanctions list may be (since fetched or published) for screening to run; older lists make screening.sanctions unavailable (LISTS_STALE) and /readyz degraded (0: no limit)"},
		&ucli.FloatFlag{Name: "rescreen-duty", Value: 0.5, Sources: ucli.EnvVars("OPENKYC_RESCREEN_DUTY"),
			Usage: "share of time a monitoring pass (every approved applicant screened again after a list update) works; it rests after each page so the API keeps its latency (0.05–1; 1: as fast as it goes)"},
		&ucli.DurationFlag{Name: "lists-update-interval", Value: 24 * time.Hour, Sources: ucli.EnvVars("OPENKYC_LISTS_UPDATE_INTERVAL"),
			Usage: "how often serve downloads the sanctions lists into the lists directory (±10 %, first 1–5 min after start; replicas sharing the directory take turns; a failure keeps the old lists; 0: off)"},
		&ucli.StringSliceFlag{Name: "list-source", Sources: ucli.EnvVars("OPENKYC_LIST_SOURCES"),
			Usage: "NAME=URL the scheduled update downloads (ofac, un, eu, uk, opensanctions:<dataset>); repeat; replaces the defaults"},
		&ucli.BoolFlag{Name: "metrics-merchant-labels", Sources: ucli.EnvVars("OPENKYC_METRICS_MERCHANT_LABELS"),
			Usage: "label the decision metrics with the merchant id (one series per merchant; off by default)"},
		&ucli.DurationFlag{Name: "verify-timeout", Value: time.Minute, Sources: ucli.EnvVars("OPENKYC_VERIFY_TIMEOUT"),
			Usage: "time limit of one run of a verification's checks; a dead worker's jobs are taken over after it"},
		&ucli.StringFlag{Name: "otel-endpoint", Sources: ucli.EnvVars("OPENKYC_OTEL_ENDPOINT"),
			Usage: "OpenTelemetry collector to export traces to over OTLP/HTTP (http://collector:4318); empty: the standard OTEL_EXPORTER_OTLP_ENDPOINT, else no tracing"},
		&ucli.BoolFlag{Name: "otel-merchant-attribute", Sources: ucli.EnvVars("OPENKYC_OTEL_MERCHANT_ATTRIBUTE"),
			Usage: "name the merchant (openkyc.merchant_id) on request and job spans (off by default)"},
	}
}

func serveFlags() []ucli.Flag {
	flags := append(storageFlags(), workerFlags()...)
	return append(flags,
		&ucli.BoolFlag{Name: "workers", Value: true, Sources: ucli.EnvVars("OPENKYC_WORKERS"), Usage: "run the job workers in this process (--workers=false to run them with `openkyc worker`)"},
		&ucli.StringFlag{Name: "addr", Value: config.DefaultAddr, Sources: ucli.EnvVars("OPENKYC_ADDR"), Usage: "listen address host:port"},
		&ucli.StringFlag{Name: "public-url", Sources: ucli.EnvVars("OPENKYC_PUBLIC_URL"), Usage: "external base URL used in links (default http://<addr>)"},
		&ucli.Int64Flag{Name: "max-upload-bytes", Value: config.DefaultMaxUploadBytes, Sources: ucli.EnvVars("OPENKYC_MAX_UPLOAD_BYTES"), Usage: "largest accepted document"},
		&ucli.Int64Flag{Name: "max-image-bytes", Value: config.DefaultMaxImageBytes, Sources: ucli.EnvVars("OPENKYC_MAX_IMAGE_BYTES"), Usage: "largest memory one decoded image may take, bit depth and channels included (bytes)"},
		&ucli.Int64Flag{Name: "decode-memory-bytes", Value: config.DefaultDecodeMemory, Sources: ucli.EnvVars("OPENKYC_DECODE_MEMORY_BYTES"), Usage: "memory all image decodes of the process share; an upload that cannot get its share within 2 s is answered 429 with Retry-After (bytes)"},
		&ucli.Int64Flag{Name: "max-image-pixels", Value: config.DefaultMaxImagePixels, Sources: ucli.EnvVars("OPENKYC_MAX_IMAGE_PIXELS"), Usage: "largest accepted image in pixels (width × height)"},
		&ucli.DurationFlag{Name: "shutdown-timeout", Value: 20 * time.Second, Sources: ucli.EnvVars("OPENKYC_SHUTDOWN_TIMEOUT"), Usage: "grace period for in-flight requests on SIGTERM"},
		&ucli.DurationFlag{Name: "console-idle-timeout", Value: 30 * time.Minute, Sources: ucli.EnvVars("OPENKYC_CONSOLE_IDLE_TIMEOUT"),
			Usage: "a review console session unused this long ends"},
		&ucli.DurationFlag{Name: "console-session-max-age", Value: 12 * time.Hour, Sources: ucli.EnvVars("OPENKYC_CONSOLE_SESSION_MAX_AGE"),
			Usage: "a review console session ends this long after sign-in, however active"},
		&ucli.Float64Flag{Name: "rate-limit-merchant", Value: ratelimit.Defaults.MerchantRate, Sources: ucli.EnvVars("OPENKYC_RATE_LIMIT_MERCHANT"),
			Usage: "requests per second one merchant may make on any API surface (0: no limit)"},
		&ucli.IntFlag{Name: "rate-limit-merchant-burst", Value: ratelimit.Defaults.MerchantBurst, Sources: ucli.EnvVars("OPENKYC_RATE_LIMIT_MERCHANT_BURST"),
			Usage: "requests a merchant may make at once above its rate"},
		&ucli.Float64Flag{Name: "rate-limit-address", Value: ratelimit.Defaults.AddressRate, Sources: ucli.EnvVars("OPENKYC_RATE_LIMIT_ADDRESS"),
			Usage: "requests per second one client address may make on the APIs and the hosted page (0: no limit)"},
		&ucli.IntFlag{Name: "rate-limit-address-burst", Value: ratelimit.Defaults.AddressBurst, Sources: ucli.EnvVars("OPENKYC_RATE_LIMIT_ADDRESS_BURST"),
			Usage: "requests a client address may make at once above its rate"},
		&ucli.DurationFlag{Name: "hosted-mrz-timeout", Value: config.DefaultHostedMRZTimeout, Sources: ucli.EnvVars("OPENKYC_HOSTED_MRZ_TIMEOUT"),
			Usage: "time limit of the MRZ reading of a hosted-page upload (passport data page, identity card back) that asks the user at once for a better photo; past it the page says nothing of the MRZ (at most 30s)"},
		&ucli.DurationFlag{Name: "mrz-timeout", Value: config.DefaultMRZTimeout, Sources: ucli.EnvVars("OPENKYC_MRZ_TIMEOUT"),
			Usage: "time limit of the MRZ reading of one document image in the checks (locating and every OCR pass); past it the best reading so far counts (1s to 2m)"},
		&ucli.StringFlag{Name: "mrz-font", Value: mrz.DefaultGlyphFont, Sources: ucli.EnvVars("OPENKYC_MRZ_FONT"),
			Usage: "OCR-B font file of the glyph matcher, the MRZ reader's second opinion on small text (Debian fonts-ocr-b; empty: off)"},
		&ucli.StringFlag{Name: "ocr", Value: tesseract.ModeAuto, Sources: ucli.EnvVars("OPENKYC_OCR"),
			Usage: "how tesseract runs: auto (worker processes keeping libtesseract loaded, when it loads, else the tesseract program) or program (one process per recognition)"},
		&ucli.IntFlag{Name: "ocr-engines", Value: tesseract.DefaultIdleEngines, Sources: ucli.EnvVars("OPENKYC_OCR_ENGINES"),
			Usage: "loaded tesseract engines each tesseract worker keeps idle for reuse, about 13–21 MB each (55 MB with Chinese); 1 to 1024"},
		&ucli.BoolFlag{Name: "demo", Usage: "create (once) a demo merchant and print its credentials and a curl walk-through"},
	)
}

func loadConfig(cmd *ucli.Command) (config.Config, error) {
	c := config.Config{
		DataDir: cmd.String("data-dir"), DatabaseURL: cmd.String("database-url"), BlobURL: cmd.String("blob-url"),
		MasterKey: cmd.String("master-key"), MasterKeyFile: cmd.String("master-key-file"), LogLevel: cmd.String("log-level"),
		Addr: config.DefaultAddr, MaxUploadBytes: config.DefaultMaxUploadBytes, MaxImagePixels: config.DefaultMaxImagePixels,
	}
	// Commands without the serve flags keep the defaults above.
	if a := cmd.String("addr"); a != "" {
		c.Addr = a
	}
	if v := cmd.String("public-url"); v != "" {
		c.PublicURL = v
	}
	if v := cmd.Int64("max-upload-bytes"); v != 0 {
		c.MaxUploadBytes = v
	}
	if v := cmd.Int64("max-image-bytes"); v != 0 {
		c.MaxImageBytes = v
	}
	if v := cmd.Int64("decode-memory-bytes"); v != 0 {
		c.DecodeMemoryBytes = v
	}
	if v := cmd.Int64("max-image-pixels"); v != 0 {
		c.MaxImagePixels = v
	}
	c.ShutdownTimeout = cmd.Duration("shutdown-timeout")
	c.Workers = cmd.Bool("workers")
	c.WorkerConcurrency = int(cmd.Int("worker-concurrency"))
	c.WebhookAllowPrivate = cmd.Bool("webhook-allow-private")
	c.WebhookTimeout = cmd.Duration("webhook-timeout")
	c.VerifyTimeout = cmd.Duration("verify-timeout")
	c.AssetsDir = cmd.String("assets-dir")
	c.ListsDir = cmd.String("lists-dir")
	c.ListsMaxAge = cmd.Duration("lists-max-age")
	c.RescreenDuty = cmd.Float("rescreen-duty")
	c.ListsUpdateInterval = cmd.Duration("lists-update-interval")
	c.MetricsMerchantLabels = cmd.Bool("metrics-merchant-labels")
	c.Tracing = tracing.Config{Endpoint: cmd.String("otel-endpoint"), MerchantAttribute: cmd.Bool("otel-merchant-attribute")}
	for _, s := range cmd.StringSlice("list-source") {
		name, url, ok := strings.Cut(s, "=")
		if !ok || url == "" {
			return c, fmt.Errorf("list-source %q: want NAME=URL", s)
		}
		if c.ListSources == nil {
			c.ListSources = map[string]string{}
		}
		c.ListSources[name] = url
	}
	c.RateLimitMerchant, c.RateLimitMerchantBurst = cmd.Float64("rate-limit-merchant"), int(cmd.Int("rate-limit-merchant-burst"))
	c.RateLimitAddress, c.RateLimitAddressBurst = cmd.Float64("rate-limit-address"), int(cmd.Int("rate-limit-address-burst"))
	c.ConsoleIdleTimeout = cmd.Duration("console-idle-timeout")
	c.ConsoleSessionMaxAge = cmd.Duration("console-session-max-age")
	c.HostedMRZTimeout = cmd.Duration("hosted-mrz-timeout")
	c.MRZTimeout = cmd.Duration("mrz-timeout")
	c.MRZFont = cmd.String("mrz-font")
	c.OCR, c.OCREngines = cmd.String("ocr"), int(cmd.Int("ocr-engines"))
	return c, c.Validate()
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(tracing.LogHandler(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l})))
}

// Command returns the root command.
func Command(stdout, stderr io.Writer) *ucli.Command {
	return &ucli.Command{
		Name:      "openkyc",
		Usage:     "self-hosted KYC verification server",
		Writer:    stdout,
		ErrWriter: stderr,
		Commands: []*ucli.Command{
			{
				Name: "serve", Usage: "run the HTTP server", Flags: serveFlags(),
				Action: func(ctx context.Context, cmd *ucli.Command) error { return serve(ctx, cmd, stdout, stderr) },
			},
			{
				Name: "migrate", Usage: "apply database migrations and exit", Flags: storageFlags(),
				Action: func(ctx context.Context, cmd *ucli.Command) error {
					engine, err := migrate(ctx, cmd)
					if err != nil {
						return err
					}
					fmt.Fprintf(stdout, "migrations current (%s)\n", engine)
					return nil
				},
			},
			{
				Name: "worker", Usage: "run the job workers (checks, webhook deliveries) without the HTTP server", Flags: append(storageFlags(), workerFlags()...),
				Action: func(ctx context.Context, cmd *ucli.Command) error {
					cfg, err := loadConfig(cmd)
					if err != nil {
						return err
					}
					log := newLogger(stderr, cfg.LogLevel)
					slog.SetDefault(log)
					ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
					defer stop()
					a, err := app.Open(ctx, cfg, log)
					if err != nil {
						return err
					}
					defer a.Close()
					return a.RunWorkers(ctx)
				},
			},
			merchantCommand(stdout),
			mrzCommand(stdout),
			checkCommand(stdout),
			faceCommand(stdout),
			screenCommand(stdout),
			listsCommand(stdout),
			reviewCommand(stdout),
			staffCommand(stdout),
			healthcheckCommand(stdout),
			levelCommand(stdout),
			blocklistCommand(stdout),
			policyCommand(stdout),
			auditCommand(stdout),
			keysCommand(stdout),
			retentionCommand(stdout),
			uploadsCommand(stdout),
		},
	}
}

func serve(ctx context.Context, cmd *ucli.Command, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(cmd)
	if err != nil {
		return err
	}
	log := newLogger(stderr, cfg.LogLevel)
	slog.SetDefault(log)
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	a, err := app.Open(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	if cmd.Bool("demo") {
		if err := demo(ctx, a, stdout, "http://"+ln.Addr().String()); err != nil {
			ln.Close()
			return err
		}
	}
	log.Info("serving", "addr", ln.Addr().String(), "database", string(a.Store.Engine()), "public_url", cfg.PublicURL)
	return a.Serve(ctx, ln)
}

func merchantCommand(stdout io.Writer) *ucli.Command {
	return &ucli.Command{
		Name: "merchant", Usage: "manage merchants (tenants)",
		Commands: []*ucli.Command{
			{
				Name: "create", Usage: "create a merchant and print its API key (shown only once)",
				Flags: append(storageFlags(),
					&ucli.StringFlag{Name: "name", Required: true, Usage: "merchant name"},
					&ucli.BoolFlag{Name: "json", Usage: "print JSON"}),
				Action: func(ctx context.Context, cmd *ucli.Command) error {
					a, err := openApp(ctx, cmd)
					if err != nil {
						return err
					}
					defer a.Close()
					c, err := a.Merchants.Create(ctx, cmd.String("name"), "cli")
					if err != nil {
						return err
					}
					if cmd.Bool("json") {
						return json.NewEncoder(stdout).Encode(createdJSON(c))
					}
					printCreated(stdout, c)
					return nil
				},
			},
			merchantShowCommand(stdout),
			merchantSetCommand(stdout),
			merchantSetKeyCommand(stdout),
			merchantRotateKeyCommand(stdout),
			merchantRotateSecretCommand(stdout),
			merchantRotatePlatformKeyCommand(stdout),
			{
				Name: "list", Usage: "list merchants",
				Flags: append(storageFlags(), &ucli.BoolFlag{Name: "json", Usage: "print JSON"}),
				Action: func(ctx context.Context, cmd *ucli.Command) error {
					ms, done, err := openMerchants(ctx, cmd)
					if err != nil {
						return err
					}
					defer done()
					list, err := ms.List(ctx)
					if err != nil {
						return err
					}
					if cmd.Bool("json") {
						type row struct {
							ID         string    `json:"id"`
							MerchantNo string    `json:"merchant_no"`
							Name       string    `json:"name"`
							Status     string    `json:"status"`
							CreatedAt  time.Time `json:"created_at"`
						}
						rows := []row{}
						for _, m := range list {
							rows = append(rows, row{m.ID, m.MerchantNo, m.Name, string(m.Status), m.CreatedAt})
						}
						return json.NewEncoder(stdout).Encode(rows)
					}
					tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "ID\tMERCHANT_NO\tSTATUS\tNAME")
					for _, m := range list {
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", m.ID, m.MerchantNo, m.Status, m.Name)
					}
					return tw.Flush()
				},
			},
		},
	}
}

// migrate opens and migrates the database of the command's settings and
// names its engine.
func migrate(ctx context.Context, cmd *ucli.Command) (string, error) {
	cfg, err := loadConfig(cmd)
	if err != nil {
		return "", err
	}
	s, err := app.OpenStore(ctx, cfg)
	if err != nil {
		return "", err
	}
	defer s.Close()
	return string(s.Engine()), nil
}

// openMerchants opens the database alone (no master key, no blob store,
// nothing written) for the commands that only read merchants and their
// audit trails: checking a restored backup must work without the key.
func openMerchants(ctx context.Context, cmd *ucli.Command) (*merchant.Service, func(), error) {
	cfg, err := loadConfig(cmd)
	if err != nil {
		return nil, nil, err
	}
	s, err := app.OpenStore(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	return merchant.New(s, nil, nil), func() { s.Close() }, nil
}

func openApp(ctx context.Context, cmd *ucli.Command) (*app.App, error) {
	cfg, err := loadConfig(cmd)
	if err != nil {
		return nil, err
	}
	cfg.NoLists = true // management commands do not screen
	return app.Open(ctx, cfg, newLogger(io.Discard, "error"))
}

func auditCommand(stdout io.Writer) *ucli.Command {
	return &ucli.Command{
		Name: "audit", Usage: "audit trail tools",
		Commands: []*ucli.Command{{
			Name: "verify", Usage: "recompute the hash chain of every merchant (or one) and report the first broken link",
			Flags: append(storageFlags(), &ucli.StringFlag{Name: "merchant", Usage: "merchant id; default all"}),
			Action: func(ctx context.Context, cmd *ucli.Command) error {
				merchants, done, err := openMerchants(ctx, cmd)
				if err != nil {
					return err
				}
				defer done()
				var ids []string
				if id := cmd.String("merchant"); id != "" {
					if _, err := merchants.ByID(ctx, id); err != nil {
						return fmt.Errorf("merchant %s: %w", id, err)
					}
					ids = []string{id}
				} else {
					ms, err := merchants.List(ctx)
					if err != nil {
						return err
					}
					for _, m := range ms {
						ids = append(ids, m.ID)
					}
				}
				broken := 0
				for _, id := range ids {
					n, err := merchants.VerifyAuditChain(ctx, id)
					if err != nil {
						broken++
						fmt.Fprintf(stdout, "BROKEN %s: %v\n", id, err)
						continue
					}
					fmt.Fprintf(stdout, "ok     %s: %d entries\n", id, n)
				}
				if broken > 0 {
					return fmt.Errorf("%d of %d audit chains are broken", broken, len(ids))
				}
				return nil
			},
		}},
	}
}
