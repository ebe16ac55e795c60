package docfile_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/docfile"
	"github.com/openkyc/openkyc/internal/kyc"
	"github.com/openkyc/openkyc/internal/kyctest"
)

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func hexSHA(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// zipEnd is an end-of-central-directory record of an empty archive.
var zipEnd = append([]byte("PK\x05\x06"), make([]byte, 18)...)

func garbage(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// withComment inserts a COM segment holding c after a JPEG's SOI.
func withComment(jpg, c []byte) []byte {
	seg := binary.BigEndian.AppendUint16([]byte{0xFF, 0xFE}, uint16(2+len(c)))
	return cat(jpg[:2], seg, c, jpg[2:])
}

func trailerCases(t testing.TB) (jpg []byte, accepted []trailerCase, refused []trailerCase) {
	jpg = jpegBytes(t, 120, 80)
	gain := jpegBytes(t, 60, 40)  // an MPF secondary image (an HDR gain map)
	depth := jpegBytes(t, 30, 20) // and another (a depth map)
	video := kyctest.MotionPhotoVideo(40 << 10)
	samsung := kyctest.SamsungMotionPhoto(video)

	// An MP4 whose last box ends with a zip's end record: the structure
	// walks to the end, but a zip reader opens the file as an archive.
	zipVideo := cat(video, kyctest.MP4Box("free", cat(make([]byte, 100), zipEnd)))
	sefBad := append([]byte{}, samsung...)
	sefBad[len(sefBad)-8-12+4]++ // the last entry's distance back from the directory
	truncatedVideo := video[:len(video)-10]
	largeBox := func(size uint64) []byte { // an mdat header with a 64-bit length
		return binary.BigEndian.AppendUint64([]byte("\x00\x00\x00\x01mdat"), size)
	}
	// Samsung directories with one field changed: the directory's length,
	// its entry count, the first entry's distance back, the second entry
	// made a copy of the first.
	sefDir := len(samsung) - 8 - int(binary.LittleEndian.Uint32(samsung[len(samsung)-8:]))
	sefEdit := func(edit func(b []byte)) []byte {
		b := append([]byte{}, samsung...)
		edit(b)
		return b
	}
	sefDirLen := sefEdit(func(b []byte) { binary.LittleEndian.PutUint32(b[len(b)-8:], 0xFFFFFFFF) })
	sefCount := sefEdit(func(b []byte) { binary.LittleEndian.PutUint32(b[sefDir+8:], 0xFFFFFFFF) })
	sefFarBack := sefEdit(func(b []byte) { binary.LittleEndian.PutUint32(b[sefDir+12+4:], 0xFFFFFFFF) })
	sefTwice := sefEdit(func(b []byte) { copy(b[sefDir+24:sefDir+36], b[sefDir+12:sefDir+24]) })

	accepted = []trailerCase{
		{"mpf secondary jpeg", gain, []string{"jpeg"}},
		{"two secondary jpegs", cat(gain, depth), []string{"jpeg"}},
		{"motion photo mp4", video, []string{"mp4"}},
		{"gain map and motion photo", cat(gain, video), []string{"jpeg", "mp4"}},
		{"mp4 with a 64-bit box length", cat(kyctest.MP4Box("ftyp", []byte("isom\x00\x00\x02\x00isom")), kyctest.MP4LargeBox("mdat", make([]byte, 5000))), []string{"mp4"}},
		{"mp4 with an empty box", cat(video, kyctest.MP4Box("free", nil)), []string{"mp4"}},
		{"samsung trailer", samsung, []string{"samsung"}},
		{"samsung trailer after a secondary jpeg", cat(depth, samsung), []string{"jpeg", "samsung"}},
		{"samsung trailer after the video", cat(video, samsung), []string{"mp4", "samsung"}},
		{"zero padding", make([]byte, 4096), []string{"padding"}},
		{"0xff padding", bytes.Repeat([]byte{0xFF}, 300), []string{"padding"}},
		{"three bytes of padding", []byte{0, 0, 0}, []string{"padding"}},
		{"secondary jpeg then padding", cat(gain, make([]byte, 64)), []string{"jpeg", "padding"}},
	}
	refused = []trailerCase{
		{"zip local header", []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00polyglot"), nil},
		{"zip end record hidden at the end of an mp4", zipVideo, nil},
		{"zip local header inside an mp4 box", cat(video, kyctest.MP4Box("free", []byte("..PK\x03\x04\x14\x00...."))), nil},
		{"zip inside a samsung block", kyctest.SamsungTrailer(kyctest.SEFBlock{Type: 0x0a30, Name: "MotionPhoto_Data", Data: cat(video, zipEnd)}), nil},
		{"pdf", []byte("%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"), nil},
		{"pdf end inside a secondary jpeg", withComment(gain, []byte("%%EOF")), nil},
		{"html", []byte("<!DOCTYPE html><html><body>hi</body></html>"), nil},
		{"html inside an mp4 box", cat(video, kyctest.MP4Box("free", []byte("<HTML><BODY onload=x()>"))), nil},
		{"script", []byte("<script>alert(1)</script>"), nil},
		{"script in a samsung block", kyctest.SamsungTrailer(kyctest.SEFBlock{Type: 0x0a01, Name: "Image_UTC_Data", Data: []byte("<ScRiPt src=//x>")}), nil},
		{"script at the very end", cat(video, kyctest.MP4Box("free", []byte("<script"))), nil},
		{"truncated mp4 box", truncatedVideo, nil},
		{"mp4 box without a length", cat(video, []byte("\x00\x00\x00\x00mdatabcd")), nil},
		{"mp4 without ftyp first", kyctest.MP4Box("mdat", make([]byte, 64)), nil},
		{"data after the video", cat(video, []byte("not a box")), nil},
		{"random garbage", garbage(2000, 7), nil},
		{"garbage after a secondary jpeg", cat(gain, garbage(200, 8)), nil},
		{"truncated secondary jpeg", gain[:len(gain)-100], nil},
		{"secondary jpeg without an image", []byte{0xFF, 0xD8, 0xFF, 0xFE, 0x00, 0x04, 'h', 'i', 0xFF, 0xD9}, nil},
		{"four-byte jpeg", []byte{0xFF, 0xD8, 0xFF, 0xD9}, nil},
		{"padding then data", cat(make([]byte, 32), []byte("x")), nil},
		{"samsung directory offset inconsistent", sefBad, nil},
		{"samsung trailer without its end", samsung[:len(samsung)-1], nil},
		{"samsung block without its directory entry", cat([]byte("\x00\x00\x01\x0a\x04\x00\x00\x00Junk"), samsung), nil},
		{"jpeg after the video", cat(video, gain), nil},
		{"a few stray bytes", []byte{1, 2}, nil},
		{"mp4 box with a 64-bit length of 0", cat(video, largeBox(0)), nil},
		{"mp4 box with a 64-bit length shorter than its header", cat(video, largeBox(15), make([]byte, 8)), nil},
		{"mp4 box with a 64-bit length past int64", cat(video, largeBox(1<<64-1)), nil},
		{"mp4 box header cut short", cat(video, largeBox(32)[:12]), nil},
		{"samsung directory length out of range", sefDirLen, nil},
		{"samsung entry count out of range", sefCount, nil},
		{"samsung entry pointing before the trailer", sefFarBack, nil},
		{"samsung block listed twice", sefTwice, nil},
	}
	return jpg, accepted, refused
}

type trailerCase struct {
	name    string
	trailer []byte
	kinds   []string // accepted with these kinds; nil: refused
}

// TestPhoneTrailers: what phones append after a JPEG is accepted, told
// apart from the image and described; every polyglot, truncation and
// unrecognised byte is refused. Each case runs with the bytes arriving in
// uneven chunks and one byte at a time.
func TestPhoneTrailers(t *testing.T) {
	t.Parallel()
	jpg, accepted, refused := trailerCases(t)
	for _, tc := range accepted {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			data := cat(jpg, tc.trailer)
			for _, res := range validateBoth(t, data) {
				require.NotNil(t, res.Trailer)
				require.Equal(t, docfile.JPEG, res.ContentType)
				require.Equal(t, int64(len(jpg)), res.Size)
				require.Equal(t, hexSHA(jpg), res.SHA256)
				require.Equal(t, kyc.RemovedTrailer{Kinds: tc.kinds, Size: int64(len(tc.trailer)), SHA256: hexSHA(tc.trailer)}, *res.Trailer)
			}
		})
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			data := cat(jpg, tc.trailer)
			for _, oneByte := range []bool{false, true} {
				_, err := validateIn(data, oneByte)
				var fe *kyc.FieldError
				require.ErrorAs(t, err, &fe, "one byte at a time: %v", oneByte)
				require.Equal(t, "file", fe.Field)
				require.Contains(t, fe.Msg, "data after the end of the image")
			}
		})
	}
}

// TestZipEndRecordNearTheEnd: a zip's end record within the last 65 KiB of
// a JPEG, as uploaded or as stored, makes it a zip archive too, with or
// without a trailer; further from the end, zip readers do not find it.
func TestZipEndRecordNearTheEnd(t *testing.T) {
	t.Parallel()
	jpg := jpegBytes(t, 120, 80)
	inImage := withComment(jpg, zipEnd)
	for name, data := range map[string][]byte{
		"in the image":               inImage,
		"in the image, then padding": cat(inImage, make([]byte, 16)),
		"in the image, then a video": cat(inImage, kyctest.MotionPhotoVideo(80<<10)),
	} {
		_, err := validate(kyc.DocIDFront, data, docfile.Limits{})
		require.ErrorIs(t, err, kyc.ErrInvalid, name)
		require.ErrorContains(t, err, "zip archive's end record", name)
	}
	far := cat(inImage[:2+4+len(zipEnd)], comments(2), inImage[2+4+len(zipEnd):])
	res, err := validate(kyc.DocIDFront, far, docfile.Limits{})
	require.NoError(t, err)
	require.Nil(t, res.Trailer)
}

// realZip is a zip archive of one file, as an attacker would hide it.
func realZip(t testing.TB) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.Create("index.html")
	require.NoError(t, err)
	_, err = w.Write([]byte("<script>alert(1)</script>"))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return b.Bytes()
}

// TestZipEndRecordWhereReadersLook: zip readers do not all stop looking
// for the end record 64 KiB + 22 bytes before the end of the file: Python's
// zipfile looks one byte further, Go's archive/zip reads the last 65 KiB.
// Wherever a zip reader opens the file as an archive, it is refused; just
// beyond, where none does, it is not.
func TestZipEndRecordWhereReadersLook(t *testing.T) {
	t.Parallel()
	jpg := jpegBytes(t, 120, 80)
	z := realZip(t)
	// The archive in a comment after SOI, then a comment that puts its end
	// record d bytes before the end of the file.
	at := func(d int) []byte {
		data := withComment(withComment(jpg, make([]byte, d-22-4-(len(jpg)-2))), z)
		require.Equal(t, d, len(data)-bytes.LastIndex(data, []byte("PK\x05\x06")))
		return data
	}
	for _, d := range []int{22 + 65535, 22 + 65536, 66000, 65 << 10} {
		data := at(d)
		_, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		require.NoError(t, err, "%d bytes from the end: Go's archive/zip opens it", d)
		_, err = validate(kyc.DocIDFront, data, docfile.Limits{})
		require.ErrorContains(t, err, "zip archive's end record", "%d bytes from the end", d)
	}
	data := at(65<<10 + 1)
	_, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	require.Error(t, err)
	_, err = validate(kyc.DocIDFront, data, docfile.Limits{})
	require.NoError(t, err)
}

// TestZipEndRecordInEveryFormat: the rule is not the JPEG's alone: a zip
// archive in a PNG chunk, a WebP chunk or a PDF stream near the end of the
// file makes it a zip archive too.
func TestZipEndRecordInEveryFormat(t *testing.T) {
	t.Parallel()
	z := realZip(t)
	pngChunk := func(typ string, data []byte) []byte {
		b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
		b = append(append(b, typ...), data...)
		return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	riffChunk := func(typ string, data []byte) []byte {
		b := binary.LittleEndian.AppendUint32([]byte(typ), uint32(len(data)))
		b = append(b, data...)
		if len(data)%2 == 1 {
			b = append(b, 0)
		}
		return b
	}
	png := pngBytes(t, 32, 32)
	iend := len(png) - 12
	webp := cat([]byte("WEBP"), riffChunk("VP8 ", []byte("abcd")), riffChunk("zIPp", z))
	pdf := strings.Replace(minimalPDF, "trailer\n", "3 0 obj\n<< /Length "+strconv.Itoa(len(z))+" >>\nstream\n"+string(z)+"\nendstream\nendobj\ntrailer\n", 1)
	for _, tc := range []struct {
		name string
		kind kyc.DocumentKind
		data []byte
	}{
		{"png", kyc.DocIDFront, cat(png[:iend], pngChunk("zIPp", z), png[iend:])},
		{"webp", kyc.DocSelfie, cat([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(webp))), webp)},
		{"pdf", kyc.DocProofOfAddress, []byte(pdf)},
	} {
		_, err := zip.NewReader(bytes.NewReader(tc.data), int64(len(tc.data)))
		require.NoError(t, err, "%s: a zip reader opens it", tc.name)
		_, err = validate(tc.kind, tc.data, docfile.Limits{})
		require.ErrorIs(t, err, kyc.ErrInvalid, tc.name)
		require.ErrorContains(t, err, "zip archive's end record", tc.name)
	}
}

func comments(n int) []byte {
	var out []byte
	for range n {
		seg := binary.BigEndian.AppendUint16([]byte{0xFF, 0xFE}, 65000)
		out = append(out, seg...)
		out = append(out, make([]byte, 65000-2)...)
	}
	return out
}

// validateBoth validates data in uneven chunks and one byte at a time;
// both must accept it.
func validateBoth(t *testing.T, data []byte) []docfile.Result {
	t.Helper()
	var out []docfile.Result
	for _, oneByte := range []bool{false, true} {
		res, err := validateIn(data, oneByte)
		require.NoError(t, err, "one byte at a time: %v", oneByte)
		out = append(out, res)
	}
	return out
}

func validateIn(data []byte, oneByte bool) (docfile.Result, error) {
	if !oneByte {
		return validate(kyc.DocIDFront, data, docfile.Limits{})
	}
	v := docfile.NewValidator(kyc.DocIDFront, docfile.Limits{})
	for i := range data {
		if _, err := v.Write(data[i : i+1]); err != nil {
			return docfile.Result{}, err
		}
	}
	return v.Close()
}

// chunky reads at most n bytes at a time, as a network does.
type chunky struct {
	r io.Reader
	n int
}

func (c chunky) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }

// TestCopyStoresTheImageOnly: Copy writes the image and never a byte of
// its trailer, wherever the end of the image falls among the chunks
// (inside the sniffed head, on a chunk boundary, in a later chunk).
func TestCopyStoresTheImageOnly(t *testing.T) {
	t.Parallel()
	small := jpegBytes(t, 16, 16)
	const chunk = 256 << 10
	// An image of exactly one chunk: its end falls on the boundary.
	exact := jpegBytes(t, 120, 80)
	pad := chunk - len(exact) - 4*4
	exact = cat(exact[:2], comment(pad/4), comment(pad/4), comment(pad/4), comment(pad-3*(pad/4)), exact[2:])
	require.Len(t, exact, chunk)
	large := cat(jpegBytes(t, 120, 80)[:2], comments(5), jpegBytes(t, 120, 80)[2:])
	video := kyctest.MotionPhotoVideo(600 << 10)
	for _, tc := range []struct {
		name         string
		image, trail []byte
	}{
		{"small image, no trailer", small, nil},
		{"small image, padding in the head", small, make([]byte, 100)},
		{"small image, video", small, video},
		{"small image, further image with a comment, video", small, cat(withComment(jpegBytes(t, 16, 16), []byte("<b>not stored</b>")), video)},
		{"image of one chunk, video", exact, video},
		{"large image, video", large, video},
		{"large image, samsung trailer", large, kyctest.SamsungMotionPhoto(video)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var dst bytes.Buffer
			res, err := docfile.NewValidator(kyc.DocIDFront, docfile.Limits{}).Copy(&dst, chunky{bytes.NewReader(cat(tc.image, tc.trail)), 10000})
			require.NoError(t, err)
			require.Equal(t, tc.image, dst.Bytes())
			require.Equal(t, int64(len(tc.image)), res.Size)
			require.Equal(t, hexSHA(tc.image), res.SHA256)
			if tc.trail == nil {
				require.Nil(t, res.Trailer)
			} else {
				require.Equal(t, int64(len(tc.trail)), res.Trailer.Size)
			}
		})
	}
	var dst bytes.Buffer
	_, err := docfile.NewValidator(kyc.DocIDFront, docfile.Limits{}).Copy(&dst, bytes.NewReader(cat(large, []byte("PK\x03\x04"))))
	require.ErrorContains(t, err, "zip archive")
}

func comment(n int) []byte {
	seg := binary.BigEndian.AppendUint16([]byte{0xFF, 0xFE}, uint16(n+2))
	return append(seg, make([]byte, n)...)
}

// FuzzTrailer: whatever follows a JPEG, the classifier answers without
// panicking, the same whether the bytes arrive at once or in chunks; what
// it accepts is described exactly and holds none of the polyglot markers.
func FuzzTrailer(f *testing.F) {
	_, accepted, refused := trailerCases(f)
	// Small seeds: the fuzzer minimises every new input it finds, and that
	// takes the square of its length.
	for _, tc := range append(accepted, refused...) {
		if len(tc.trailer) <= 512 {
			f.Add(tc.trailer, uint8(97))
		}
	}
	small := kyctest.MotionPhotoVideo(64)
	f.Add(small, uint8(1))
	f.Add(cat(jpegBytes(f, 8, 8), small), uint8(2))
	f.Add(kyctest.SamsungMotionPhoto(small), uint8(3))
	f.Add(cat(small, kyctest.SamsungTrailer(kyctest.SEFBlock{Type: 0x0b41, Name: "Camera_Capture_Mode_Info", Data: []byte("1")})), uint8(4))
	f.Add(cat(small, kyctest.MP4Box("free", zipEnd)), uint8(50))
	f.Add(cat(small, kyctest.MP4LargeBox("free", []byte("<svg onload=x>"))), uint8(60))
	jpg := jpegBytes(f, 16, 16)
	f.Fuzz(func(t *testing.T, trailer []byte, step uint8) {
		if len(trailer) > 64<<10 {
			return
		}
		data := cat(jpg, trailer)
		whole := docfile.NewValidator(kyc.DocIDFront, docfile.Limits{})
		_, _ = whole.Write(data)
		res, err := whole.Close()

		v := docfile.NewValidator(kyc.DocIDFront, docfile.Limits{})
		n := 1 + int(step)*int(step)%4096 // 1 to 4 KiB at a time
		var cerr error
		for rest := data; len(rest) > 0 && cerr == nil; {
			k := min(n, len(rest))
			_, cerr = v.Write(rest[:k])
			rest = rest[k:]
		}
		res2, err2 := v.Close()
		require.Equal(t, err == nil, err2 == nil, "whole: %v, chunks of %d: %v", err, n, err2)
		if err != nil {
			require.ErrorIs(t, err, kyc.ErrInvalid)
			return
		}
		require.Equal(t, res, res2)
		require.Equal(t, int64(len(jpg)), res.Size)
		require.Equal(t, hexSHA(jpg), res.SHA256)
		if len(trailer) == 0 {
			require.Nil(t, res.Trailer)
			return
		}
		require.Equal(t, int64(len(trailer)), res.Trailer.Size)
		require.Equal(t, hexSHA(trailer), res.Trailer.SHA256)
		require.NotEmpty(t, res.Trailer.Kinds)
		for _, m := range []string{"PK\x03\x04", "%PDF-", "%%EOF"} {
			require.NotContains(t, string(trailer), m, "accepted a trailer holding %q", m)
		}
		lower := string(bytes.ToLower(trailer))
		for _, m := range []string{"<script>", "<html>", "<svg ", "<body/"} {
			require.NotContains(t, lower, m, "accepted a trailer holding %q", m)
		}
		if i := bytes.LastIndex(data, []byte("PK\x05\x06")); i >= 0 {
			require.Less(t, i, len(data)-65<<10, "accepted a zip end record near the end")
		}
	})
}
