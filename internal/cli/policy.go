package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	ucli "github.com/urfave/cli/v3"
	"go.yaml.in/yaml/v3"

	"github.com/openkyc/openkyc/internal/app"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/policy"
)

// withMerchant opens the app and resolves --merchant to a principal.
func withMerchant(ctx context.Context, cmd *ucli.Command, fn func(a *app.App, p kyc.Principal) error) error {
	a, err := openApp(ctx, cmd)
	if err != nil {
		return err
	}
	defer a.Close()
	id := cmd.String("merchant")
	if _, err := a.Store.MerchantByID(ctx, id); err != nil {
		return fmt.Errorf("merchant %s: %w", id, err)
	}
	return fn(a, kyc.Principal{MerchantID: id, Actor: "cli"})
}

func merchantFlag() ucli.Flag {
	return &ucli.StringFlag{Name: "merchant", Required: true, Usage: "merchant id (mer_...)"}
}

// readLevel reads a level from a YAML (or JSON) file.
func readLevel(path, name string) (policy.Level, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return policy.Level{}, err
	}
	var l policy.Level
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(&l); err != nil {
		return l, fmt.Errorf("%s: %w", path, err)
	}
	if name != "" {
		l.Name = name
	}
	return l, l.Validate()
}

func levelCommand(stdout io.Writer) *ucli.Command {
	return &ucli.Command{
		Name: "level", Usage: "manage a merchant's verification levels",
		Commands: []*ucli.Command{
			{
				Name: "set", Usage: "create or replace a level from a YAML file (see docs/levels.md)",
				Flags: append(storageFlags(), merchantFlag(),
					&ucli.StringFlag{Name: "file", Required: true, Usage: "level.yaml"},
					&ucli.StringFlag{Name: "name", Usage: "level name (default: the file's name field)"}),
				Action: func(ctx context.Context, cmd *ucli.Command) error {
					l, err := readLevel(cmd.String("file"), cmd.String("name"))
					if err != nil {
						return err
					}
					return withMerchant(ctx, cmd, func(a *app.App, p kyc.Principal) error {
						saved, err := a.Levels.Put(ctx, p, l)
						if err != nil {
							return err
						}
						fmt.Fprintf(stdout, "level %s stored as version %d\n", saved.Name, saved.Version)
						return nil
					})
				},
			},
			{
				Name: "get", Usage: "print a level as YAML",
				Flags: append(storageFlags(), merchantFlag(), &ucli.StringFlag{Name: "name", Value: "basic", Usage: "level name"}),
				Action: func(ctx context.Context, cmd *ucli.Command) error {
					return withMerchant(ctx, cmd, func(a *app.App, p kyc.Principal) error {
						l, err := a.Levels.Get(ctx, p.MerchantID, cmd.String("name"))
						if err != nil {
							return err
						}
						return yaml.NewEncoder(stdout).Encode(l)
					})
				},
			},
		},
	}
}

func blocklistCommand(stdout io.Writer) *ucli.Command {
	return &ucli.Command{
		Name: "blocklist", Usage: "manage a merchant's blocklists (document_number, email, phone, name)",
		Commands: []*ucli.Command{
			{
				Name: "add", Usage: "block a value",
				Flags: append(storageFlags(), merchantFlag(),
					&ucli.StringFlag{Name: "kind", Required: true, Usage: "document_number, email, phone or name"},
					&ucli.StringFlag{Name: "value", Required: true, Usage: "the value to block"},
					&ucli.StringFlag{Name: "note", Usage: "why"}),
				Action: func(ctx context.Context, cmd *ucli.Command) error {
					return withMerchant(ctx, cmd, func(a *app.App, p kyc.Principal) error {
						e, err := a.Applicants.Blocklist().Add(ctx, p, cmd.String("kind"), cmd.String("value"), cmd.String("note"))
						if err != nil {
							return err
						}
						fmt.Fprintf(stdout, "%s blocked (%s)\n", e.Kind, e.ID)
						return nil
					})
				},
			},
			{
				Name: "list", Usage: "list blocked values", Flags: append(storageFlags(), merchantFlag()),
				Action: func(ctx context.Context, cmd *ucli.Command) error {
					return withMerchant(ctx, cmd, func(a *app.App, p kyc.Principal) error {
						es, err := a.Applicants.Blocklist().Entries(ctx, p)
						if err != nil {
							return err
						}
						tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
						fmt.Fprintln(tw, "ID\tKIND\tVALUE\tNOTE")
						for _, e := range es {
							fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.ID, e.Kind, e.Value, e.Note)
						}
						return tw.Flush()
					})
				},
			},
			{
				Name: "remove", Usage: "unblock a value", Flags: append(storageFlags(), merchantFlag(), &ucli.StringFlag{Name: "id", Required: true}),
				Action: func(ctx context.Context, cmd *ucli.Command) error {
					return withMerchant(ctx, cmd, func(a *app.App, p kyc.Principal) error {
						return a.Applicants.Blocklist().Remove(ctx, p, cmd.String("id"))
					})
				},
			},
		},
	}
}

func policyCommand(stdout io.Writer) *ucli.Command {
	return &ucli.Command{
		Name: "policy", Usage: "policy tools",
		Commands: []*ucli.Command{{
			Name:  "replay",
			Usage: "decide a verification again from its stored check results and print the difference; --apply decides one waiting in review",
			Flags: append(storageFlags(),
				&ucli.StringFlag{Name: "verification", Required: true, Usage: "verification id"},
				&ucli.StringFlag{Name: "level", Usage: "level YAML file to decide with (default: the verification's current level)"},
				&ucli.BoolFlag{Name: "apply", Usage: "apply the replayed decision (verifications in review only)"},
				&ucli.BoolFlag{Name: "json", Usage: "print JSON"}),
			Action: func(ctx context.Context, cmd *ucli.Command) error {
				a, err := openApp(ctx, cmd)
				if err != nil {
					return err
				}
				defer a.Close()
				var lv *policy.Level
				if f := cmd.String("level"); f != "" {
					l, err := readLevel(f, "")
					if err != nil {
						return err
					}
					lv = &l
				}
				r, err := a.Verifications.ReplayPolicy(ctx, cmd.String("verification"), lv)
				if err != nil {
					return err
				}
				v := r.Verification
				now := map[string]any{"state": v.State, "decision": v.Decision, "reject_type": v.RejectType, "reasons": v.Reasons}
				then := map[string]any{"review": r.Outcome.Review, "review_reasons": r.Outcome.ReviewReasons, "decision": r.Outcome.Decision,
					"reject_type": r.Outcome.RejectType, "reasons": r.Outcome.Reasons}
				if cmd.Bool("json") {
					if err := json.NewEncoder(stdout).Encode(map[string]any{"verification_id": v.ID, "level": r.Level.Name, "level_version": r.Level.Version,
						"checks": len(r.Checks), "current": now, "replayed": then, "changed": r.Changed}); err != nil {
						return err
					}
				} else {
					fmt.Fprintf(stdout, "verification %s, level %s version %d, %d check results\n", v.ID, r.Level.Name, r.Level.Version, len(r.Checks))
					fmt.Fprintf(stdout, "current:  state=%s decision=%s reject_type=%s reasons=%v\n", v.State, v.Decision, v.RejectType, v.Reasons)
					if r.Outcome.Review {
						fmt.Fprintf(stdout, "replayed: review because %v\n", r.Outcome.ReviewReasons)
					} else {
						fmt.Fprintf(stdout, "replayed: decision=%s reject_type=%s reasons=%v\n", r.Outcome.Decision, r.Outcome.RejectType, r.Outcome.Reasons)
					}
					if r.Changed {
						fmt.Fprintln(stdout, "DIFFERENT")
					} else {
						fmt.Fprintln(stdout, "same")
					}
				}
				if cmd.Bool("apply") && r.Changed {
					nv, err := a.Verifications.ApplyReplay(ctx, r, "cli:policy-replay")
					if err != nil {
						return err
					}
					fmt.Fprintf(stdout, "applied: state=%s decision=%s\n", nv.State, nv.Decision)
				}
				return nil
			},
		}},
	}
}
