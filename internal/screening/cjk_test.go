package screening

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestCJKNames: Hangul against the spellings sanctions lists give Korean
// names (McCune–Reischauer without diacritics), Hanzi against pinyin, and
// Devanagari names read whole.
func TestCJKNames(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ script, latin string }{
		{"김정은", "KIM JONG UN"},
		{"최룡해", "CHOE RYONG HAE"},
		{"리병철", "RI PYONG CHOL"},
		{"이병철", "Ri Pyong Chol"}, // 이 as a family name is Ri in these lists
		{"박정천", "PAK JONG CHON"},
		{"장성택", "JANG SONG THAEK"},
		{"习近平", "XI Jinping"},
		{"李克强", "Li Keqiang"},
		{"तारा लीना चौहान", "Tara Lina Chauhan"},
	} {
		s := ScoreNames(c.script, c.latin)
		require.GreaterOrEqual(t, s.Score, DefaultThreshold, "%s ~ %s: %s", c.script, c.latin, s)
	}
	require.Equal(t, []string{"riitikaa", "raav"}, texts(tokenize("रीतिका राव")), "vowel signs stay in their word")
}
