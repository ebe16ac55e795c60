package docfile_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/docfile"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
)

func testImage(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 7), uint8(y * 13), uint8(x ^ y), 255})
		}
	}
	return img
}

func jpegBytes(t testing.TB, w, h int) []byte {
	var b bytes.Buffer
	require.NoError(t, jpeg.Encode(&b, testImage(w, h), &jpeg.Options{Quality: 85}))
	return b.Bytes()
}

func pngBytes(t testing.TB, w, h int) []byte {
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, testImage(w, h)))
	return b.Bytes()
}

const minimalPDF = "%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

// validate feeds data in uneven chunks, as a network would.
func validate(kind kyc.DocumentKind, data []byte, lim docfile.Limits) (docfile.Result, error) {
	v := docfile.NewValidator(kind, lim)
	for rest, i := data, 0; len(rest) > 0; i++ {
		n := min(len(rest), 1+(i*977)%5000)
		w, err := v.Write(rest[:n])
		if err != nil {
			return docfile.Result{}, err
		}
		if w != n {
			return docfile.Result{}, io.ErrShortWrite
		}
		rest = rest[n:]
	}
	return v.Close()
}

func TestValidator(t *testing.T) {
	t.Parallel()
	jpg := jpegBytes(t, 120, 80)
	pngb := pngBytes(t, 64, 48)
	tests := []struct {
		name  string
		kind  kyc.DocumentKind
		data  []byte
		ctype string // accepted with this type; empty means rejected
		msg   string
	}{
		{"jpeg id front", kyc.DocIDFront, jpg, docfile.JPEG, ""},
		{"png selfie", kyc.DocSelfie, pngb, docfile.PNG, ""},
		{"pdf aml report", kyc.DocAMLReport, []byte(minimalPDF), docfile.PDF, ""},
		{"pdf proof of address", kyc.DocProofOfAddress, []byte(minimalPDF), docfile.PDF, ""},
		{"pdf selfie", kyc.DocSelfie, []byte(minimalPDF), "", "must be an image"},
		{"pdf as id front", kyc.DocIDFront, []byte(minimalPDF), "", "must be an image"},
		{"image as report", kyc.DocIDVReport, jpg, "", "must be a PDF"},
		{"jpeg with zip appended", kyc.DocIDFront, append(append([]byte{}, jpg...), "PK\x03\x04polyglot"...), "", "data after the end"},
		{"jpeg truncated", kyc.DocIDFront, jpg[:len(jpg)-200], "", "truncated JPEG"},
		{"png with html appended", kyc.DocSelfie, append(append([]byte{}, pngb...), "<script>alert(1)</script>"...), "", "data after the end"},
		{"png truncated", kyc.DocSelfie, pngb[:len(pngb)/2], "", "truncated PNG"},
		{"pdf binary stream", kyc.DocAMLReport, []byte("%PDF-1.4\n1 0 obj << /Length 30 >>\nstream\n\x00\xff /JS /Launch (x) endstrea\nendstream\nendobj\n%%EOF\n"), docfile.PDF, ""},
		{"pdf active after stream", kyc.DocAMLReport, []byte("%PDF-1.4\n1 0 obj << /Length 3 >>\nstream\nabc\nendstream\nendobj\n2 0 obj << /AA 3 0 R >>\n%%EOF\n"), "", "/AA"},
		{"pdf javascript", kyc.DocAMLReport, []byte("%PDF-1.4\n<< /S /JavaScript /JS (app.alert(1)) >>\n%%EOF"), "", "active content"},
		{"pdf escaped name", kyc.DocAMLReport, []byte("%PDF-1.4\n<< /Open#41ction 3 0 R >>\n%%EOF"), "", "/OpenAction"},
		{"pdf launch", kyc.DocIDVReport, []byte("%PDF-1.4\n<</Type/Action/S/Launch/F(cmd.exe)>>\n%%EOF"), "", "/Launch"},
		{"pdf trailing data", kyc.DocAMLReport, []byte(minimalPDF + "MZ\x90\x00 trailing executable"), "", "after the end of the PDF"},
		{"pdf without eof", kyc.DocAMLReport, []byte("%PDF-1.4\n1 0 obj <<>> endobj\n"), "", "truncated PDF"},
		{"elf executable", kyc.DocIDFront, append([]byte("\x7fELF\x02\x01\x01"), make([]byte, 4000)...), "", "not accepted"},
		{"windows executable", kyc.DocIDFront, append([]byte("MZ\x90\x00\x03\x00\x00\x00"), make([]byte, 4000)...), "", "not accepted"},
		{"html", kyc.DocIDFront, []byte("<!DOCTYPE html><html><body>hi</body></html>"), "", "not accepted"},
		{"empty", kyc.DocIDFront, nil, "", "empty"},
		{"webp truncated", kyc.DocSelfie, []byte("RIFF\xff\x00\x00\x00WEBPVP8 " + string(make([]byte, 40))), "", "truncated WebP"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := validate(tc.kind, tc.data, docfile.Limits{})
			if tc.ctype != "" {
				require.NoError(t, err)
				require.Equal(t, tc.ctype, res.ContentType)
				require.Equal(t, int64(len(tc.data)), res.Size)
				sum := sha256.Sum256(tc.data)
				require.Equal(t, hex.EncodeToString(sum[:]), res.SHA256)
				return
			}
			var fe *kyc.FieldError
			require.ErrorAs(t, err, &fe)
			require.Equal(t, "file", fe.Field)
			require.Contains(t, fe.Msg, tc.msg)
		})
	}
}

func TestValidatorSizeLimit(t *testing.T) {
	t.Parallel()
	_, err := validate(kyc.DocIDFront, jpegBytes(t, 200, 200), docfile.Limits{MaxBytes: 1000})
	require.ErrorIs(t, err, kyc.ErrTooLarge)
}

func opener(b []byte) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
}

func TestDecoder(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	d := docfile.NewDecoder(nil, docfile.Limits{MaxPixels: 100 * 100}, time.Second)
	im, err := d.Decode(ctx, opener(jpegBytes(t, 100, 60)), 1, nil)
	require.NoError(t, err)
	require.Equal(t, [2]int{100, 60}, [2]int{im.Width, im.Height})

	_, err = d.Decode(ctx, opener(pngBytes(t, 200, 200)), 1, nil)
	require.ErrorIs(t, err, kyc.ErrTooLarge)

	// Valid structure, corrupt pixel data: the header reads but decoding fails.
	bad := pngBytes(t, 50, 50)
	for i := 60; i < len(bad)-20; i++ {
		bad[i] ^= 0x5a
	}
	_, err = d.Decode(ctx, opener(bad), 1, nil)
	require.ErrorIs(t, err, kyc.ErrInvalid)
	require.ErrorContains(t, err, "does not decode")
}

// TestDecodedSize: the estimate of a decode's memory counts bit depth,
// channels, chroma subsampling, progressive coefficients and interlacing.
func TestDecodedSize(t *testing.T) {
	t.Parallel()
	progressive := jpegBytes(t, 800, 600)
	i := bytes.Index(progressive, []byte{0xFF, 0xC0})
	require.Positive(t, i)
	progressive = append([]byte{}, progressive...)
	progressive[i+1] = 0xC2 // SOF2: the header says progressive
	const overhead = 1 << 20
	for _, tc := range []struct {
		name string
		file []byte
		want int64
	}{
		{"jpeg 4:2:0", jpegBytes(t, 800, 600), 800*608 + 2*400*304 + overhead},
		{"jpeg progressive", progressive, 5*(800*608+2*400*304) + overhead},
		{"png rgba 8", kyctest.PixelBombPNG(100, 50, false, false), 100*50*4 + overhead},
		{"png rgba 16", kyctest.PixelBombPNG(100, 50, true, false), 100*50*8 + overhead},
		{"png rgba 16 interlaced", kyctest.PixelBombPNG(100, 50, true, true), 2*100*50*8 + overhead},
		{"png rgb 8 (decoded as RGBA)", pngBytes(t, 64, 64), 64*64*4 + overhead},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			im, err := docfile.NewDecoder(nil, docfile.Limits{}, time.Second).Inspect(opener(tc.file))
			require.NoError(t, err)
			require.Equal(t, tc.want, im.DecodedBytes)
		})
	}
}

// TestPixelBombRefusedFromHeader: the 322 KB PNG of 6300×6300 pixels at 16
// bits per channel (317 MB decoded) is under the pixel cap but over the
// per-image byte cap: refused from its header, nothing decoded.
func TestPixelBombRefusedFromHeader(t *testing.T) {
	t.Parallel()
	bomb := kyctest.PixelBombPNG(6300, 6300, true, false)
	require.Less(t, len(bomb), 400<<10)
	d := docfile.NewDecoder(nil, docfile.Limits{}, time.Second)
	called := false
	_, err := d.Decode(t.Context(), opener(bomb), 1, func(image.Image, docfile.Image) error { called = true; return nil })
	require.ErrorIs(t, err, kyc.ErrTooLarge)
	require.ErrorContains(t, err, "6300x6300")
	require.ErrorContains(t, err, "318568576")
	require.False(t, called)
}

// TestBudget: a decode that cannot get its share in time is refused as
// busy (429 with Retry-After on every surface); released shares serve the
// next one.
func TestBudget(t *testing.T) {
	t.Parallel()
	b := docfile.NewBudget(4 << 20)
	d := docfile.NewDecoder(b, docfile.Limits{}, 50*time.Millisecond)
	img := pngBytes(t, 700, 700) // 700×700×4 + 1 MiB ≈ 2.96 MB
	hold, err := b.Acquire(t.Context(), 2<<20, time.Second)
	require.NoError(t, err)
	_, err = d.Decode(t.Context(), opener(img), 1, nil)
	require.ErrorIs(t, err, kyc.ErrRateLimited)
	var rl *kyc.RateLimitError
	require.ErrorAs(t, err, &rl)
	require.Equal(t, "decode", rl.Scope)
	s, ok := kyc.RetryAfterSeconds(err)
	require.True(t, ok)
	require.Equal(t, 5, s)
	require.Equal(t, int64(2<<20), b.InUse())
	require.Equal(t, int64(1), b.Refused())
	hold()
	hold() // releasing twice gives back once
	require.Zero(t, b.InUse())
	_, err = d.Decode(t.Context(), opener(img), 1, nil)
	require.NoError(t, err)
	// More than the whole budget can never be had: too large, not busy.
	_, err = d.Decode(t.Context(), opener(img), 2, nil)
	require.ErrorIs(t, err, kyc.ErrTooLarge)
}

func FuzzValidator(f *testing.F) {
	f.Add([]byte(minimalPDF), uint8(0))
	f.Add(jpegBytes(f, 16, 16), uint8(1))
	f.Add(pngBytes(f, 8, 8), uint8(2))
	f.Add([]byte("RIFF\x10\x00\x00\x00WEBPVP8 \x04\x00\x00\x00abcd"), uint8(3))
	f.Add([]byte("%PDF-1.7 /J#53 /#"), uint8(7))
	f.Fuzz(func(t *testing.T, data []byte, k uint8) {
		kind := kyc.DocumentKinds[int(k)%len(kyc.DocumentKinds)]
		res, err := validate(kind, data, docfile.Limits{MaxBytes: 1 << 20})
		if err != nil {
			require.ErrorIs(t, err, kyc.ErrInvalid)
			return
		}
		switch res.ContentType {
		case docfile.JPEG, docfile.PNG, docfile.WebP:
			require.True(t, kind.AllowsImage())
		case docfile.PDF:
			require.True(t, kind.AllowsPDF())
		default:
			t.Fatalf("accepted unexpected type %q", res.ContentType)
		}
		if len(data) > 0 && res.ContentType != docfile.PDF {
			_, _ = docfile.NewDecoder(nil, docfile.Limits{MaxPixels: 1 << 16}, time.Second).Decode(t.Context(), opener(data), 1, nil)
		}
	})
}

// FuzzInspect: any header, however malformed, is answered with an estimate
// or an error — never a panic — and an accepted one decodes within its
// estimate's share or fails cleanly.
func FuzzInspect(f *testing.F) {
	f.Add(jpegBytes(f, 16, 16))
	f.Add(pngBytes(f, 8, 8))
	f.Add(kyctest.PixelBombPNG(64, 64, true, true))
	f.Add(kyctest.WithOrientation(jpegBytes(f, 16, 8), 6, binary.LittleEndian))
	f.Add(kyctest.WithOrientation(jpegBytes(f, 8, 16), 7, binary.BigEndian))
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xC2, 0x00, 0x11, 0x08, 0x00, 0x10, 0x00, 0x10, 0x03, 0x01, 0x44, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		budget := docfile.NewBudget(64 << 20)
		d := docfile.NewDecoder(budget, docfile.Limits{MaxPixels: 1 << 16, MaxImageBytes: 32 << 20}, 10*time.Millisecond)
		im, err := d.Inspect(opener(data))
		if err != nil {
			require.True(t, errors.Is(err, kyc.ErrInvalid) || errors.Is(err, kyc.ErrTooLarge), "%v", err)
			return
		}
		require.Positive(t, im.DecodedBytes)
		require.LessOrEqual(t, im.DecodedBytes, int64(32<<20))
		_, err = d.Decode(t.Context(), opener(data), 1, nil)
		if err != nil {
			require.ErrorIs(t, err, kyc.ErrInvalid)
		}
		require.Zero(t, budget.InUse())
	})
}
