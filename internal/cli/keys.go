package cli

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	ucli "github.com/urfave/cli/v3"
	"gocloud.dev/secrets/localsecrets"

	"github.com/openkyc/openkyc/internal/app"
	"github.com/openkyc/openkyc/internal/applicant"
	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/crypto"
)

// keysCommand manages the master key versions that wrap the data keys.
func keysCommand(stdout io.Writer) *ucli.Command {
	return &ucli.Command{
		Name: "keys", Usage: "master key versions: status, rotate (new version, re-wrap data keys), retire an unused version",
		Commands: []*ucli.Command{
			{
				Name: "status", Usage: "show the configured master key versions and which wrap data keys",
				Flags: append(storageFlags(), &ucli.BoolFlag{Name: "json", Usage: "print JSON"}),
				Action: func(ctx context.Context, cmd *ucli.Command) error {
					return withKeys(ctx, cmd, func(cfg config.Config, s crypto.KeyStore, mk *crypto.MasterKeys) error {
						st, err := keyStatus(ctx, s, mk)
						if err != nil {
							return err
						}
						if cmd.Bool("json") {
							enc := json.NewEncoder(stdout)
							enc.SetIndent("", "  ")
							return enc.Encode(st)
						}
						printKeyStatus(stdout, st)
						return nil
					})
				},
			},
			{
				Name: "rotate",
				Usage: "add a new master key version to the key file (it becomes active) and re-wrap every data key with it; " +
					"documents and personal data are not rewritten",
				Flags: storageFlags(),
				Action: func(ctx context.Context, cmd *ucli.Command) error {
					return withKeys(ctx, cmd, func(cfg config.Config, s crypto.KeyStore, mk *crypto.MasterKeys) error {
						if mk.Path == "" {
							return errors.New("the master key comes from OPENKYC_MASTER_KEY, which this command cannot change: " +
								"run `openkyc keys generate`, set OPENKYC_MASTER_KEY to the new version followed by the old ones " +
								"(\"v2:...,v1:...\") on every process and restart them; the first to start re-wraps the data keys")
						}
						// Every data key must open before anything changes.
						if _, err := crypto.OpenKeyring(ctx, mk, s); err != nil {
							return err
						}
						next, err := mk.WithNewVersion()
						if err != nil {
							return err
						}
						// The file first: a new version is never in use before it is saved.
						if err := crypto.WriteMasterKeyFile(mk.Path, next); err != nil {
							return err
						}
						n, err := crypto.Rewrap(ctx, next, s)
						if err != nil {
							return fmt.Errorf("master key version %d saved to %s, but re-wrapping failed (run `openkyc keys rotate` again or restart a server): %w",
								next.Active(), mk.Path, err)
						}
						fmt.Fprintf(stdout, "master key version %d is active (saved to %s); %d data keys re-wrapped\n", next.Active(), mk.Path, n)
						st, err := keyStatus(ctx, s, next)
						if err != nil {
							return err
						}
						if len(st.Retirable) > 0 {
							fmt.Fprintf(stdout, "once every process runs with this key file, retire the old versions: openkyc keys retire --version %d\n", st.Retirable[0])
						}
						return nil
					})
				},
			},
			{
				Name: "generate", Usage: "print a new master key version (v<N>:<base64>) for OPENKYC_MASTER_KEY; nothing is stored",
				Flags: storageFlags(),
				Action: func(ctx context.Context, cmd *ucli.Command) error {
					return withKeys(ctx, cmd, func(cfg config.Config, s crypto.KeyStore, mk *crypto.MasterKeys) error {
						k, err := localsecrets.NewRandomKey()
						if err != nil {
							return err
						}
						fmt.Fprintf(stdout, "v%d:%s\n", slices.Max(mk.Versions())+1, base64.StdEncoding.EncodeToString(k[:]))
						return nil
					})
				},
			},
			{
				Name: "retire", Usage: "remove a master key version that no data key uses any more from the key file",
				Flags: append(storageFlags(), &ucli.IntFlag{Name: "version", Required: true, Usage: "the version to remove"}),
				Action: func(ctx context.Context, cmd *ucli.Command) error {
					return withKeys(ctx, cmd, func(cfg config.Config, s crypto.KeyStore, mk *crypto.MasterKeys) error {
						v := int(cmd.Int("version"))
						inUse, err := crypto.MasterVersionsInUse(ctx, s)
						if err != nil {
							return err
						}
						if n := inUse[v]; n > 0 {
							return fmt.Errorf("master key version %d still wraps %d data keys: run `openkyc keys rotate` (or start a server whose newest version is active) first", v, n)
						}
						next, err := mk.Without(v)
						if err != nil {
							return err
						}
						if mk.Path == "" {
							fmt.Fprintf(stdout, "no data key uses version %d: remove v%d from OPENKYC_MASTER_KEY on every process\n", v, v)
							return nil
						}
						if err := crypto.WriteMasterKeyFile(mk.Path, next); err != nil {
							return err
						}
						fmt.Fprintf(stdout, "master key version %d removed from %s; remaining: %v\n", v, mk.Path, next.Versions())
						return nil
					})
				},
			},
		},
	}
}

// withKeys opens the master keys and the data keys' store of the command's
// settings.
func withKeys(ctx context.Context, cmd *ucli.Command, fn func(config.Config, crypto.KeyStore, *crypto.MasterKeys) error) error {
	cfg, err := loadConfig(cmd)
	if err != nil {
		return err
	}
	s, err := app.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	mk, err := crypto.OpenMasterKey(crypto.MasterKeySource{Value: cfg.MasterKey, File: cfg.MasterKeyFile, DataDir: cfg.DataDir})
	if err != nil {
		return err
	}
	return fn(cfg, s, mk)
}

// keyVersion is one master key version in the status.
type keyVersion struct {
	Version    int  `json:"version"`
	Active     bool `json:"active"`
	Configured bool `json:"configured"`
	DataKeys   int  `json:"data_keys"`
}

type keysStatus struct {
	Source    string       `json:"source"`
	Versions  []keyVersion `json:"versions"`
	Retirable []int        `json:"retirable"`
	// Missing lists versions that wrap data keys but are not configured.
	Missing []int `json:"missing"`
}

func keyStatus(ctx context.Context, s crypto.KeyStore, mk *crypto.MasterKeys) (keysStatus, error) {
	inUse, err := crypto.MasterVersionsInUse(ctx, s)
	if err != nil {
		return keysStatus{}, err
	}
	st := keysStatus{Source: mk.Path, Retirable: []int{}, Missing: []int{}}
	if st.Source == "" {
		st.Source = "OPENKYC_MASTER_KEY"
	}
	vs := mk.Versions()
	for v := range inUse {
		if !mk.Has(v) {
			vs = append(vs, v)
			st.Missing = append(st.Missing, v)
		}
	}
	slices.Sort(vs)
	slices.Sort(st.Missing)
	for i := len(vs) - 1; i >= 0; i-- {
		v := vs[i]
		kv := keyVersion{Version: v, Active: v == mk.Active(), Configured: mk.Has(v), DataKeys: inUse[v]}
		st.Versions = append(st.Versions, kv)
		if kv.Configured && !kv.Active && kv.DataKeys == 0 {
			st.Retirable = append(st.Retirable, v)
		}
	}
	return st, nil
}

func printKeyStatus(w io.Writer, st keysStatus) {
	fmt.Fprintf(w, "master key source: %s\n", st.Source)
	for _, v := range st.Versions {
		note := ""
		switch {
		case v.Active:
			note = "active"
		case !v.Configured:
			note = "NOT CONFIGURED: data keys cannot be opened"
		case v.DataKeys == 0:
			note = "unused: can be retired"
		default:
			note = "still wraps data keys: re-wrap with `openkyc keys rotate` or a server restart"
		}
		fmt.Fprintf(w, "  v%-4d %d data keys  %s\n", v.Version, v.DataKeys, note)
	}
}

// retentionCommand runs the retention job once (servers run it hourly).
func retentionCommand(stdout io.Writer) *ucli.Command {
	return &ucli.Command{
		Name: "retention", Usage: "data retention",
		Commands: []*ucli.Command{{
			Name: "run", Usage: "purge deleted applicants whose restore window ended and apply every merchant's retention settings now",
			Flags: storageFlags(),
			Action: func(ctx context.Context, cmd *ucli.Command) error {
				a, err := openApp(ctx, cmd)
				if err != nil {
					return err
				}
				defer a.Close()
				rep, err := a.Erasure.RunRetention(ctx, a.Log)
				if err != nil {
					return err
				}
				fmt.Fprintf(stdout, "purged %d applicants; documents deleted for %d; %d failed (retried on the next run)\n", rep.Purged, rep.DocumentsErased, rep.Errors)
				if rep.Errors > 0 {
					return fmt.Errorf("%d retention steps failed", rep.Errors)
				}
				return nil
			},
		}},
	}
}

// uploadsCommand reaps unrecorded uploads once (servers do it hourly).
func uploadsCommand(stdout io.Writer) *ucli.Command {
	return &ucli.Command{
		Name: "uploads", Usage: "document uploads",
		Commands: []*ucli.Command{{
			Name:  "reap",
			Usage: "delete the blobs of uploads that a crash left without a document record (servers do it at start and hourly)",
			Flags: append(storageFlags(), &ucli.DurationFlag{Name: "older-than", Value: applicant.UploadGrace,
				Usage: "reap uploads pending for longer than this; shorter than the longest upload only when no server is running"}),
			Action: func(ctx context.Context, cmd *ucli.Command) error {
				a, err := openApp(ctx, cmd)
				if err != nil {
					return err
				}
				defer a.Close()
				n, err := a.Applicants.ReapUploads(ctx, cmd.Duration("older-than"))
				if err != nil {
					return err
				}
				fmt.Fprintf(stdout, "reaped %d unrecorded uploads\n", n)
				return nil
			},
		}},
	}
}
