package kyctest

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// DocSection keeps the section of a Markdown file that starts at heading
// ("## …", up to the next "## ") equal to section, which a test generated
// from golden files. With update it rewrites the section (appending it when
// the file lacks it); otherwise a difference fails the test.
func DocSection(t testing.TB, path, heading, section string, update bool) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	doc := string(b)
	start := strings.Index(doc, heading)
	if start < 0 {
		require.True(t, update, "%s lacks the section %q; run the test with -update", path, heading)
		require.NoError(t, os.WriteFile(path, []byte(doc+"\n"+section), 0o644))
		return
	}
	rest := ""
	if end := strings.Index(doc[start+1:], "\n## "); end >= 0 {
		rest = "\n" + doc[start+1+end+1:] // a blank line before the next heading
	}
	if update {
		require.NoError(t, os.WriteFile(path, []byte(doc[:start]+section+rest), 0o644))
		return
	}
	require.Equal(t, section, doc[start:min(len(doc), start+len(section))], "%s differs from the golden files; run the test with -update", path)
}
