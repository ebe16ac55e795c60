package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	ucli "github.com/urfave/cli/v3"
	"golang.org/x/term"

	"github.com/openkyc/openkyc/internal/app"
	"github.com/openkyc/openkyc/internal/staff"
)

// readPassword reads a new password: prompted twice without echo on a
// terminal, else the first line of standard input.
func readPassword(cmd *ucli.Command) (string, error) {
	r := cmd.Root().Reader
	if r == nil {
		r = os.Stdin
	}
	if f, ok := r.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		ew := cmd.Root().ErrWriter
		fmt.Fprint(ew, "password: ")
		p1, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(ew)
		if err != nil {
			return "", err
		}
		fmt.Fprint(ew, "password again: ")
		p2, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(ew)
		if err != nil {
			return "", err
		}
		if string(p1) != string(p2) {
			return "", errors.New("the passwords differ")
		}
		return string(p1), nil
	}
	line, err := bufio.NewReader(io.LimitReader(r, staff.MaxPassword*4+2)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// staffCommand manages the review console's accounts.
func staffCommand(stdout io.Writer) *ucli.Command {
	return &ucli.Command{
		Name: "staff", Usage: "review console accounts (compliance staff)",
		Commands: []*ucli.Command{
			{
				Name: "create", Usage: "create an account; the password is prompted for on a terminal, else read from the first line of standard input",
				Flags: append(storageFlags(),
					&ucli.StringFlag{Name: "email", Required: true, Usage: "login e-mail"},
					&ucli.StringFlag{Name: "role", Required: true, Usage: "admin (every merchant), reviewer or auditor (assigned merchants)"},
					&ucli.StringSliceFlag{Name: "merchant", Usage: "merchant id a reviewer or auditor sees; repeat"},
					&ucli.BoolFlag{Name: "json", Usage: "print JSON"}),
				Action: func(ctx context.Context, cmd *ucli.Command) error {
					password, err := readPassword(cmd)
					if err != nil {
						return err
					}
					a, err := openApp(ctx, cmd)
					if err != nil {
						return err
					}
					defer a.Close()
					acc, err := staff.New(a.Store).Create(ctx, cmd.String("email"), cmd.String("role"), password, cmd.StringSlice("merchant"))
					if err != nil {
						return err
					}
					if cmd.Bool("json") {
						return json.NewEncoder(stdout).Encode(acc)
					}
					fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\n", acc.ID, acc.Email, acc.Role, strings.Join(acc.Merchants, ","))
					return nil
				},
			},
			{
				Name: "set", Usage: "change an account's role, merchants or status; --disable ends its sessions at once",
				Flags: append(storageFlags(),
					&ucli.StringFlag{Name: "email", Required: true, Usage: "login e-mail of the account"},
					&ucli.StringFlag{Name: "role", Usage: "admin, reviewer or auditor"},
					&ucli.StringSliceFlag{Name: "merchant", Usage: "the merchants a reviewer or auditor sees (replaces the list); repeat"},
					&ucli.BoolFlag{Name: "disable", Usage: "disable the account (sign-in refused, sessions ended)"},
					&ucli.BoolFlag{Name: "enable", Usage: "enable a disabled account"},
					&ucli.BoolFlag{Name: "json", Usage: "print JSON"}),
				Action: func(ctx context.Context, cmd *ucli.Command) error {
					var c staff.Change
					if cmd.IsSet("role") {
						r := cmd.String("role")
						c.Role = &r
					}
					if cmd.IsSet("merchant") {
						c.Merchants = cmd.StringSlice("merchant")
					}
					switch {
					case cmd.Bool("disable") && cmd.Bool("enable"):
						return errors.New("give --disable or --enable, not both")
					case cmd.Bool("disable"), cmd.Bool("enable"):
						d := cmd.Bool("disable")
						c.Disabled = &d
					}
					a, err := openApp(ctx, cmd)
					if err != nil {
						return err
					}
					defer a.Close()
					acc, err := staff.New(a.Store).Update(ctx, cmd.String("email"), c)
					if err != nil {
						return err
					}
					if cmd.Bool("json") {
						return json.NewEncoder(stdout).Encode(acc)
					}
					fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\t%s\n", acc.ID, acc.Email, acc.Role, strings.Join(acc.Merchants, ","), acc.Status)
					return nil
				},
			},
			{
				Name: "list", Usage: "list accounts", Flags: append(storageFlags(), &ucli.BoolFlag{Name: "json", Usage: "print JSON"}),
				Action: func(ctx context.Context, cmd *ucli.Command) error {
					a, err := openApp(ctx, cmd)
					if err != nil {
						return err
					}
					defer a.Close()
					return listStaff(ctx, a, stdout, cmd.Bool("json"))
				},
			},
		},
	}
}

func listStaff(ctx context.Context, a *app.App, w io.Writer, asJSON bool) error {
	accs, err := staff.New(a.Store).List(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		return json.NewEncoder(w).Encode(accs)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEMAIL\tROLE\tMERCHANTS\tSTATUS")
	for _, acc := range accs {
		m := strings.Join(acc.Merchants, ",")
		if acc.Role == staff.RoleAdmin {
			m = "(all)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", acc.ID, acc.Email, acc.Role, m, acc.Status)
	}
	return tw.Flush()
}
