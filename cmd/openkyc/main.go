// Command openkyc is the self-hosted KYC verification server and its tools.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/openkyc/openkyc/internal/cli"
)

func main() {
	if err := cli.Command(os.Stdout, os.Stderr).Run(context.Background(), os.Args); err != nil {
		fmt.Fprintln(os.Stderr, "openkyc:", err)
		os.Exit(1)
	}
}
