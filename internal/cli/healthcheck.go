package cli

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	ucli "github.com/urfave/cli/v3"

	"github.com/openkyc/openkyc/internal/config"
)

// healthcheckCommand asks a running server whether it is ready, for
// container health checks where no curl exists (distroless).
func healthcheckCommand(stdout io.Writer) *ucli.Command {
	return &ucli.Command{
		Name: "healthcheck", Usage: "exit 0 when the server at --addr answers /readyz with 200 (container health checks)",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "addr", Value: config.DefaultAddr, Sources: ucli.EnvVars("OPENKYC_ADDR"), Usage: "the server's listen address"},
			&ucli.DurationFlag{Name: "timeout", Value: 3 * time.Second, Usage: "how long to wait for the answer"},
		},
		Action: func(ctx context.Context, cmd *ucli.Command) error {
			host, port, err := net.SplitHostPort(cmd.String("addr"))
			if err != nil {
				return fmt.Errorf("addr: %w", err)
			}
			if host == "" || host == "0.0.0.0" || host == "::" {
				host = "127.0.0.1"
			}
			ctx, cancel := context.WithTimeout(ctx, cmd.Duration("timeout"))
			defer cancel()
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/readyz", nil)
			if err != nil {
				return err
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				return err
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(io.LimitReader(res.Body, 1024))
			if res.StatusCode != http.StatusOK {
				return fmt.Errorf("not ready: %d %s", res.StatusCode, body)
			}
			fmt.Fprintf(stdout, "%s\n", body)
			return nil
		},
	}
}
