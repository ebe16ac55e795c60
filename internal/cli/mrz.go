package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	ucli "github.com/urfave/cli/v3"

	"github.com/openkyc/openkyc/internal/check/mrz"
)

// mrzCommand parses machine readable zones for operators.
func mrzCommand(stdout io.Writer) *ucli.Command {
	return &ucli.Command{
		Name: "mrz", Usage: "machine readable zone tools",
		Commands: []*ucli.Command{{
			Name: "parse", Usage: "parse and validate an MRZ (TD1, TD2, TD3, MRV-A, MRV-B); exit status 1 when invalid",
			ArgsUsage: "LINE...",
			Flags:     []ucli.Flag{&ucli.BoolFlag{Name: "json", Usage: "print JSON"}},
			Action: func(_ context.Context, cmd *ucli.Command) error {
				lines := cmd.Args().Slice()
				if len(lines) == 0 {
					return errors.New("give the MRZ lines as arguments: openkyc mrz parse LINE1 LINE2 [LINE3]")
				}
				d, err := mrz.Parse(lines...)
				if errors.Is(err, mrz.ErrFormat) {
					return err
				}
				var problems []mrz.FieldError
				var e *mrz.Error
				if errors.As(err, &e) {
					problems = e.Problems
				}
				valid := err == nil && d.Valid()
				if cmd.Bool("json") {
					out := struct {
						mrz.Document
						Valid    bool             `json:"valid"`
						Problems []mrz.FieldError `json:"problems"`
					}{d, valid, problems}
					if out.Problems == nil {
						out.Problems = []mrz.FieldError{}
					}
					enc := json.NewEncoder(stdout)
					enc.SetIndent("", "  ")
					if err := enc.Encode(out); err != nil {
						return err
					}
				} else {
					tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
					for _, row := range [][2]string{{"format", string(d.Format)}, {"document code", d.DocumentCode}, {"issuing state", d.IssuingState},
						{"surname", d.Surname}, {"given names", d.GivenNames}, {"document number", d.DocumentNumber}, {"nationality", d.Nationality},
						{"birth date", d.BirthDate.String()}, {"sex", d.Sex}, {"expiry date", d.ExpiryDate.String()},
						{"optional data", d.OptionalData1}, {"optional data 2", d.OptionalData2}} {
						fmt.Fprintf(tw, "%s\t%s\n", row[0], row[1])
					}
					for _, c := range d.CheckDigits {
						state := "ok"
						if !c.Valid {
							state = "INVALID (computed " + c.Computed + ")"
						}
						fmt.Fprintf(tw, "check digit %s\t%s %s\n", c.Field, c.Printed, state)
					}
					for _, p := range problems {
						fmt.Fprintf(tw, "problem\t%s\n", p.Error())
					}
					if err := tw.Flush(); err != nil {
						return err
					}
				}
				if !valid {
					return errors.New("the MRZ is not valid") // exit status 1
				}
				return nil
			},
		}},
	}
}
