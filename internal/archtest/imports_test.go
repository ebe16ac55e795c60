// Package archtest holds the tests of the code's shape: which package may
// import which (docs/architecture.md).
package archtest

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const module = "github.com/openkyc/openkyc/"

// storeImporters may import internal/store (non-test code): the services,
// which write every change with its audit entry in one transaction, and
// app, which wires them. Tests import it freely.
var storeImporters = []string{
	"internal/verification", "internal/review", "internal/staff", "internal/merchant", "internal/webhook", "internal/jobs", "internal/hostedlink", "internal/idempotency", "internal/applicant", "internal/level", "internal/analytics",
	"internal/app",
	// the console benchmark writes the analytics counters of a simulated million verifications
	"bench/cmd/consolebench",
}

// TestOnlyServicesImportTheStore reads the import graph of every package
// of the module and fails when a package outside the list above imports
// internal/store.
func TestOnlyServicesImportTheStore(t *testing.T) {
	t.Parallel()
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, module+"...")
	out, err := cmd.Output()
	require.NoError(t, err)
	importers := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		pkg := strings.TrimPrefix(fields[0], module)
		if pkg == "internal/store" || strings.HasPrefix(pkg, "internal/store/") {
			continue
		}
		if slices.Contains(fields[1:], module+"internal/store") {
			importers[pkg] = true
		}
	}
	require.NotEmpty(t, importers, "the import graph was read")
	for pkg := range importers {
		require.True(t, slices.Contains(storeImporters, pkg),
			"%s imports internal/store: go through a service (docs/architecture.md)", pkg)
	}
}

// TestNoDialectImportsAnother: what the dialects share lives in
// internal/dialect; one dialect never imports another.
func TestNoDialectImportsAnother(t *testing.T) {
	t.Parallel()
	const dialects = module + "internal/dialect/"
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, dialects+"...").Output()
	require.NoError(t, err)
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || !strings.HasPrefix(fields[0], dialects) {
			continue
		}
		n++
		for _, imp := range fields[1:] {
			if strings.HasPrefix(imp, dialects) {
				require.Fail(t, "a dialect imports another", "%s imports %s: move what they share into internal/dialect", fields[0], imp)
			}
		}
	}
	require.GreaterOrEqual(t, n, 4, "the dialects were listed")
}
