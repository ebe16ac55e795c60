package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	ucli "github.com/urfave/cli/v3"

	"github.com/openkyc/openkyc/internal/screening"
)

func listsDirFlag() ucli.Flag {
	return &ucli.StringFlag{Name: "lists-dir", Sources: ucli.EnvVars("OPENKYC_LISTS_DIR"), Usage: "directory of list files (sdn.csv, sdn.xml, UN/EU/UK XML, ConList.csv, *.json)"}
}

// screenCommand screens one name against local list files, printing the
// same body as POST /v1/screenings with --json.
func screenCommand(stdout io.Writer) *ucli.Command {
	return &ucli.Command{
		Name: "screen", Usage: "screen a name against sanctions and PEP lists", ArgsUsage: "NAME",
		Flags: []ucli.Flag{
			listsDirFlag(),
			&ucli.StringFlag{Name: "dob", Usage: "date of birth: YYYY, YYYY-MM or YYYY-MM-DD"},
			&ucli.StringFlag{Name: "country", Usage: "nationality: ISO alpha-2 code or English name"},
			&ucli.StringFlag{Name: "gender", Usage: "male or female"},
			&ucli.StringFlag{Name: "type", Usage: "person, entity, vessel or aircraft (default: any)"},
			&ucli.FloatFlag{Name: "threshold", Value: screening.DefaultThreshold, Usage: "lowest score reported (0–1)"},
			&ucli.IntFlag{Name: "limit", Value: screening.DefaultLimit, Usage: "most hits reported"},
			&ucli.BoolFlag{Name: "json", Usage: "print the API's JSON body"},
		},
		Action: func(_ context.Context, cmd *ucli.Command) error {
			name := strings.Join(cmd.Args().Slice(), " ")
			dir := cmd.String("lists-dir")
			if dir == "" {
				return errors.New("give the lists with --lists-dir DIR (or OPENKYC_LISTS_DIR)")
			}
			scr := screening.NewScreener()
			if _, err := scr.LoadDir(dir); err != nil {
				return err
			}
			th := cmd.Float("threshold")
			resp, err := scr.Screen(screening.Request{Name: name, DateOfBirth: cmd.String("dob"), Nationality: cmd.String("country"),
				Gender: cmd.String("gender"), Type: cmd.String("type"), Threshold: &th, Limit: int(cmd.Int("limit"))})
			if err != nil {
				return err
			}
			if cmd.Bool("json") {
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(resp)
			}
			return printHits(stdout, resp)
		},
	}
}

func printHits(w io.Writer, resp screening.Response) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCORE\tLIST\tENTRY\tTYPE\tNAME\tMATCHED\tWHY")
	for _, h := range resp.Hits {
		var why []string
		for _, p := range h.Explanation.Parts {
			why = append(why, fmt.Sprintf("%s~%s(%s)", p.Query, p.Entry, p.How))
		}
		for _, q := range h.Explanation.Qualifiers {
			why = append(why, fmt.Sprintf("%s:%s%+.2f", q.Field, q.Result, q.Effect))
		}
		fmt.Fprintf(tw, "%.3f\t%s\t%s\t%s\t%s\t%s\t%s\n", h.Score, h.List, h.EntryID, h.Type, h.Name, h.Explanation.MatchedName, strings.Join(why, " "))
	}
	if len(resp.Hits) == 0 {
		fmt.Fprintln(tw, "no hits\t\t\t\t\t\t")
	}
	return tw.Flush()
}
