package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	ucli "github.com/urfave/cli/v3"

	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/screening"
)

// listsTarget is where imports go: --lists-dir, else <data-dir>/lists
// (where a server without --lists-dir looks).
func listsTarget(cmd *ucli.Command) string {
	if d := cmd.String("lists-dir"); d != "" {
		return d
	}
	return filepath.Join(cmd.String("data-dir"), "lists")
}

func listsFlags() []ucli.Flag {
	return []ucli.Flag{
		&ucli.StringFlag{Name: "data-dir", Value: config.DefaultDataDir, Sources: ucli.EnvVars("OPENKYC_DATA_DIR"), Usage: "data directory; lists go to <data-dir>/lists"},
		listsDirFlag(),
		&ucli.BoolFlag{Name: "json", Usage: "print JSON"},
	}
}

func printVersions(w io.Writer, asJSON bool, vs []screening.Version) error {
	if asJSON {
		return json.NewEncoder(w).Encode(vs)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LIST\tPUBLISHED\tENTRIES\tPEOPLE\tNAMES\tSHA256\tSOURCE")
	for _, v := range vs {
		pub := "-"
		if !v.Published.IsZero() {
			pub = v.Published.Format("2006-01-02")
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\t%s\n", v.List, pub, v.Entries, v.People, v.Names, v.SHA256[:16], v.Source)
	}
	return tw.Flush()
}

// listsCommand imports, downloads and shows sanctions lists.
func listsCommand(stdout io.Writer) *ucli.Command {
	return &ucli.Command{
		Name: "lists", Usage: "sanctions and PEP lists: import, update, show",
		Commands: []*ucli.Command{
			{
				Name: "import", Usage: "validate the list files of DIR and install them (a running server reloads them within a minute)", ArgsUsage: "DIR",
				Flags: listsFlags(),
				Action: func(_ context.Context, cmd *ucli.Command) error {
					src := cmd.Args().First()
					if src == "" {
						return fmt.Errorf("give the directory of list files: openkyc lists import DIR")
					}
					set, err := screening.Import(src, listsTarget(cmd))
					if err != nil {
						return err
					}
					return printVersions(stdout, cmd.Bool("json"), set.Versions)
				},
			},
			{
				Name: "update", Usage: "download the official lists and install them",
				Flags: append(listsFlags(),
					&ucli.StringSliceFlag{Name: "source", Sources: ucli.EnvVars("OPENKYC_LIST_SOURCES"),
						Usage: "NAME=URL to download (ofac, un, eu, uk, opensanctions:<dataset>); repeat; replaces the defaults: " + defaultSources()},
					&ucli.DurationFlag{Name: "timeout", Value: 5 * time.Minute, Usage: "time limit of the downloads"},
				),
				Action: func(ctx context.Context, cmd *ucli.Command) error {
					sources := screening.DefaultSources
					if given := cmd.StringSlice("source"); len(given) > 0 {
						sources = map[string]string{}
						for _, s := range given {
							name, url, ok := strings.Cut(s, "=")
							if !ok || url == "" {
								return fmt.Errorf("source %q: want NAME=URL", s)
							}
							sources[name] = url
						}
					}
					tmp, err := os.MkdirTemp("", "openkyc-lists-")
					if err != nil {
						return err
					}
					defer os.RemoveAll(tmp)
					ctx, cancel := context.WithTimeout(ctx, cmd.Duration("timeout"))
					defer cancel()
					if _, err := screening.Download(ctx, &http.Client{}, sources, tmp); err != nil {
						return err
					}
					set, err := screening.Import(tmp, listsTarget(cmd))
					if err != nil {
						return err
					}
					return printVersions(stdout, cmd.Bool("json"), set.Versions)
				},
			},
			{
				Name: "show", Usage: "show the installed lists' versions", Flags: listsFlags(),
				Action: func(_ context.Context, cmd *ucli.Command) error {
					set, err := screening.LoadDir(listsTarget(cmd))
					if err != nil {
						return err
					}
					return printVersions(stdout, cmd.Bool("json"), set.Versions)
				},
			},
		},
	}
}

func defaultSources() string {
	var parts []string
	for _, n := range []string{"ofac", "un", "uk", "opensanctions:peps"} {
		parts = append(parts, n+"="+screening.DefaultSources[n])
	}
	return strings.Join(parts, ", ")
}
