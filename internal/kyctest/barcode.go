package kyctest

import (
	"image"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// LicenceBack draws the back of a driver's licence: a synthetic card
// 2000×1260 with a PDF417 of text drawn by zxing-cpp's ZXingWriter (Debian
// zxing-cpp-tools, which scripts/install-assets.sh installs). It skips the
// test when ZXingWriter is not installed.
func LicenceBack(t testing.TB, text string) *image.RGBA {
	t.Helper()
	return CardWithCode(t, "PDF417", text)
}

// CardWithCode draws a synthetic card 2000×1260 with a barcode of format
// (ZXingWriter's names: PDF417, QRCode, …) holding text.
func CardWithCode(t testing.TB, format, text string) *image.RGBA {
	t.Helper()
	size := "1300x420"
	if format != "PDF417" {
		size = "420x420"
	}
	writer, err := exec.LookPath("ZXingWriter")
	if err != nil {
		t.Skip("ZXingWriter not installed (Debian zxing-cpp-tools)")
	}
	path := filepath.Join(t.TempDir(), "pdf417.png")
	args := []string{"-size", size}
	if strings.ContainsFunc(text, func(r rune) bool { return r > 0x7e }) {
		args = append(args, "-encoding", "UTF-8") // Vietnamese names, as national codes carry them
	}
	if out, err := exec.Command(writer, append(args, format, text, path)...).CombinedOutput(); err != nil {
		t.Fatalf("ZXingWriter: %v: %s", err, out)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sym, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	card := ToRGBA(SyntheticCard(2000, 1260))
	draw.Draw(card, sym.Bounds().Add(image.Pt(350, 700)), sym, sym.Bounds().Min, draw.Src)
	return card
}
