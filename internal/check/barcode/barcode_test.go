package barcode

import (
	"encoding/json"
	"flag"
	"image"
	stdpng "image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyctest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestParseAAMVA: AAMVA DL/ID texts (written to the standard's layout:
// version 08 of a US state, version 09 of a Canadian province with its
// own subfile, version 01 with the name in DAA) parse to the golden
// licences; dates follow the country's order.
func TestParseAAMVA(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"us_v08", "ca_v09", "us_v01"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			text, err := os.ReadFile(filepath.Join("testdata", name+".txt"))
			require.NoError(t, err)
			l, err := ParseAAMVA(text)
			require.NoError(t, err)
			got, err := json.MarshalIndent(l, "", "  ")
			require.NoError(t, err)
			golden := filepath.Join("testdata", name+".golden.json")
			if *update {
				require.NoError(t, os.WriteFile(golden, append(got, '\n'), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			require.JSONEq(t, string(want), string(got))
		})
	}
	l, err := ParseAAMVA(mustRead(t, "us_v08"))
	require.NoError(t, err)
	require.Equal(t, "1977-08-31", l.DateOfBirth, "MMDDCCYY in the United States")
	c, err := ParseAAMVA(mustRead(t, "ca_v09"))
	require.NoError(t, err)
	require.Equal(t, "1985-04-12", c.DateOfBirth, "CCYYMMDD in Canada")
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".txt"))
	require.NoError(t, err)
	return b
}

// TestParseAAMVAErrors: what is not AAMVA says so; a malformed header
// names what is wrong; a designator offset that misses its subfile is
// searched past.
func TestParseAAMVAErrors(t *testing.T) {
	t.Parallel()
	good := string(mustRead(t, "us_v08"))
	tests := []struct{ name, text, err string }{
		{"a URL in a QR code", "https://example.org/", "not an AAMVA"},
		{"no file type", "@\n\x1e\rXXXXX 636014080002DL", "not an AAMVA"},
		{"IIN not digits", strings.Replace(good, "636014", "63601X", 1), "IIN"},
		{"IIN signed", strings.Replace(good, "636014", "+63601", 1), "IIN"},
		{"version not a number", strings.Replace(good, "636014080002", "636014XX0002", 1), "version"},
		{"no entries", strings.Replace(good, "636014080002DL", "636014080000DL", 1), "number of entries"},
		{"designators cut", good[:30], "cut short"},
		{"no DL subfile", strings.Replace(strings.Replace(good, "DLDAQ", "XXDAQ", 1), "0002DL0041", "0002ZZ0041", 1), "no DL or ID subfile"},
		{"too long", "@" + strings.Repeat("x", MaxAAMVA), "more than"},
	}
	for _, tt := range tests {
		_, err := ParseAAMVA([]byte(tt.text))
		require.ErrorContains(t, err, tt.err, tt.name)
	}
	moved := strings.Replace(good, "DL00410278", "DL00990278", 1) // offset past the subfile's start
	l, err := ParseAAMVA([]byte(moved))
	require.NoError(t, err)
	require.Equal(t, "D1234562", l.DocumentNumber)
}

// FuzzParseAAMVA: any text parses or fails with an error, never a panic;
// a parsed licence has its elements and valid dates only.
func FuzzParseAAMVA(f *testing.F) {
	for _, n := range []string{"us_v08", "ca_v09", "us_v01"} {
		b, err := os.ReadFile(filepath.Join("testdata", n+".txt"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("@\n\x1e\rANSI 63601408"))
	f.Fuzz(func(t *testing.T, data []byte) {
		l, err := ParseAAMVA(data)
		if err != nil {
			return
		}
		require.NotEmpty(t, l.Elements)
		for _, d := range []string{l.DateOfBirth, l.DateOfExpiry, l.DateOfIssue} {
			require.True(t, d == "" || len(d) == 10, d)
		}
	})
}

// TestUnescape: ZXingReader's escapes come back as the characters.
func TestUnescape(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"@<LF><RS><CR>ANSI 6360": "@\n\x1e\rANSI 6360",
		"caf<U+E9> <U+1F600>":    "café 😀",
		"a <b> c <":              "a <b> c <",
		"a<b<LF>c":               "a<b\nc",
		"x<RS<CR>":               "x<RS\r",
		"<U+110000><U+>":         "<U+110000><U+>",
		"":                       "",
	} {
		require.Equal(t, want, Unescape(in), in)
	}
}

// TestParseOutput: the reader's lines become each file's codes; "None"
// is none; a line of no file given is an error.
func TestParseOutput(t *testing.T) {
	t.Parallel()
	codes, err := parseOutput("/x/a b.png PDF417 \"@<LF>ANSI\"\n/x/a b.png QRCode \"say \"hi\"\"\n/x/a b.png2 None\n",
		[]string{"/x/a b.png", "/x/a b.png2"})
	require.NoError(t, err)
	require.Equal(t, []Code{{"PDF417", "@\nANSI"}, {"QRCode", `say "hi"`}}, codes["/x/a b.png"])
	require.Empty(t, codes["/x/a b.png2"])
	_, err = parseOutput("something else\n", []string{"/x/a.png"})
	require.ErrorContains(t, err, "unexpected output")
}

// TestReaderDecodes: ZXingReader finds a PDF417 that ZXingWriter drew from
// an AAMVA text, turned a quarter too, and its text parses back to the
// same licence; an image without a barcode gives none.
func TestReaderDecodes(t *testing.T) {
	t.Parallel()
	r := Reader{}
	if err := r.Available(); err != nil {
		t.Skip(err)
	}
	text := mustRead(t, "us_v08")
	card := kyctest.LicenceBack(t, string(text))
	png := writeTemp(t, card)
	codes, err := r.Read(t.Context(), png)
	require.NoError(t, err)
	require.Len(t, codes, 1)
	require.Equal(t, "PDF417", codes[0].Format)
	require.Equal(t, string(text), codes[0].Text)
	want, err := ParseAAMVA(text)
	require.NoError(t, err)
	got, err := ParseAAMVA([]byte(codes[0].Text))
	require.NoError(t, err)
	require.Equal(t, want, got)

	none, err := r.Read(t.Context(), filepath.Join("testdata", "us_v08.golden.json")) // not an image
	require.Error(t, err)
	require.Empty(t, none)

	// On a card photographed 5° off level: not found level, found turned.
	tilted := kyctest.Rotate(card, 5)
	level, err := r.Read(t.Context(), writeTemp(t, tilted))
	require.NoError(t, err)
	require.Empty(t, level, "zxing-cpp alone does not find it")
	codes, err = r.ReadImage(t.Context(), tilted)
	require.NoError(t, err)
	require.Len(t, codes, 1)
	require.Equal(t, string(text), codes[0].Text)

	codes, err = r.ReadImage(t.Context(), kyctest.SyntheticCard(800, 500))
	require.NoError(t, err)
	require.Empty(t, codes, "a card without a barcode")
}

func writeTemp(t *testing.T, img image.Image) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "img.png")
	f, err := os.Create(p)
	require.NoError(t, err)
	require.NoError(t, stdpng.Encode(f, img))
	require.NoError(t, f.Close())
	return p
}

// FuzzParseOutput: whatever the reader prints (the barcode's content comes
// from the photo) parses or fails with an error, never a panic.
func FuzzParseOutput(f *testing.F) {
	f.Add("/t/a.png PDF417 \"@<LF><RS><CR>ANSI 636014<U+E9>\"\n/t/a.png None\n")
	f.Add("/t/a.png QRCode \"<<U+>><LF\"\n")
	f.Fuzz(func(t *testing.T, out string) {
		codes, err := parseOutput(out, []string{"/t/a.png"})
		if err == nil {
			for _, c := range codes["/t/a.png"] {
				_ = Unescape(c.Text)
			}
		}
	})
}

// TestReaderFails: a decoder that fails, stops early or hangs gives an
// error — without the text it decoded, which is personal data — and never
// a panic or a blocked writer.
func TestReaderFails(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	script := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o700))
		return p
	}
	card := kyctest.SyntheticCard(1200, 760)
	tests := []struct {
		name   string
		reader Reader
		err    string
	}{
		{"exits with an error after decoding", Reader{Program: script("fail", `echo '/dev/fd/3 PDF417 "DAQSECRET"'; echo 'boom' >&2; exit 1`)}, "boom"},
		{"reads nothing and exits", Reader{Program: script("quit", `exit 3`)}, "exit status 3"},
		{"hangs", Reader{Program: script("hang", `sleep 10`), Timeout: 200 * time.Millisecond}, "deadline exceeded"},
		{"prints what it should not", Reader{Program: script("odd", `echo 'DAQSECRET'`)}, "unexpected output on line 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var codes []Code
			var err error
			require.NotPanics(t, func() { codes, err = tc.reader.ReadImage(t.Context(), card) })
			require.ErrorContains(t, err, tc.err)
			require.NotContains(t, err.Error(), "SECRET")
			require.Empty(t, codes)
		})
	}
}
