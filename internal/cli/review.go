package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	ucli "github.com/urfave/cli/v3"

	"github.com/openkyc/openkyc/internal/app"
	"github.com/openkyc/openkyc/internal/kyc"
)

// reviewCommand lets an operator resolve screening hits until the review
// console is used: the same service call, audited with actor "cli".
func reviewCommand(stdout io.Writer) *ucli.Command {
	return &ucli.Command{
		Name: "review", Usage: "resolve a verification's review items",
		Commands: []*ucli.Command{{
			Name: "hit", Usage: "confirm (final rejection SANCTIONS_HIT) or dismiss one screening hit of a verification in review",
			Flags: append(storageFlags(), merchantFlag(),
				&ucli.StringFlag{Name: "verification", Required: true, Usage: "verification id (ver_...)"},
				&ucli.StringFlag{Name: "list", Required: true, Usage: "the hit's list (us_ofac, un_sc, eu_fsf, uk_hmt, opensanctions:...)"},
				&ucli.StringFlag{Name: "entry", Required: true, Usage: "the hit's entry_id"},
				&ucli.BoolFlag{Name: "confirm", Usage: "the applicant is the listed person: reject finally"},
				&ucli.BoolFlag{Name: "dismiss", Usage: "not this person: remember and do not alert again while the entry is unchanged"},
				&ucli.StringFlag{Name: "note", Usage: "internal note (stored encrypted with the decision)"},
			),
			Action: func(ctx context.Context, cmd *ucli.Command) error {
				if cmd.Bool("confirm") == cmd.Bool("dismiss") {
					return errors.New("give exactly one of --confirm or --dismiss")
				}
				return withMerchant(ctx, cmd, func(a *app.App, p kyc.Principal) error {
					v, err := a.Verifications.ResolveHit(ctx, p, cmd.String("verification"), cmd.String("list"), cmd.String("entry"),
						cmd.Bool("confirm"), cmd.String("note"))
					if err != nil {
						return err
					}
					if cmd.Bool("confirm") {
						fmt.Fprintf(stdout, "%s: %s, %s (%s)\n", v.ID, v.State, v.Decision, v.RejectType)
					} else {
						fmt.Fprintf(stdout, "%s: hit %s/%s dismissed; the verification stays in %s\n", v.ID, cmd.String("list"), cmd.String("entry"), v.State)
					}
					return nil
				})
			},
		}},
	}
}
