package docfile

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/openkyc/openkyc/internal/kyc"
)

// Budget is the process's memory for decoded images: every decode, at
// upload and in the checks, takes its estimated size from it before it
// starts and gives it back when its caller is done with the pixels, so that
// concurrent uploads of large images cannot exhaust memory.
type Budget struct {
	sem   *semaphore.Weighted
	total int64
	inUse atomic.Int64
	busy  atomic.Int64 // refusals
}

// DefaultDecodeMemory is the default budget (--decode-memory-bytes).
const DefaultDecodeMemory = 512 << 20

// NewBudget returns a budget of total bytes (<= 0: DefaultDecodeMemory).
func NewBudget(total int64) *Budget {
	if total <= 0 {
		total = DefaultDecodeMemory
	}
	return &Budget{sem: semaphore.NewWeighted(total), total: total}
}

// Total is the size of the budget in bytes.
func (b *Budget) Total() int64 { return b.total }

// Acquire takes n bytes, waiting at most wait (and not past ctx). When the
// share cannot be had in time the error is a *kyc.RateLimitError (answered
// 429 with Retry-After by every surface).
func (b *Budget) Acquire(ctx context.Context, n int64, wait time.Duration) (release func(), err error) {
	if n > b.total {
		return nil, kyc.TooLarge("file", "the decoded image would take %d bytes, more than the decode memory of %d bytes", n, b.total)
	}
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	if err := b.sem.Acquire(wctx, n); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		b.busy.Add(1)
		return nil, &kyc.RateLimitError{Scope: "decode", RetryAfter: RetryAfterBusy,
			Reason: "the server is decoding too many images at once"}
	}
	b.inUse.Add(n)
	var once sync.Once
	return func() {
		once.Do(func() {
			b.inUse.Add(-n)
			b.sem.Release(n)
		})
	}, nil
}

// InUse is how many bytes are taken now.
func (b *Budget) InUse() int64 { return b.inUse.Load() }

// Refused counts the requests refused as busy since the start.
func (b *Budget) Refused() int64 { return b.busy.Load() }

// RetryAfterBusy is the Retry-After of an upload refused because the decode
// budget stayed taken.
const RetryAfterBusy = 5 * time.Second

// Image is what a header (and a decode) says of an image.
type Image struct {
	// Width and Height are the picture's as the camera held it: a JPEG's
	// EXIF orientation applied.
	Width, Height int
	Format        string // jpeg, png, webp
	// Orientation is a JPEG's EXIF orientation; decoding applies it, so
	// every engine and viewer sees the picture upright.
	Orientation Orientation
	// UprightBytes is the memory of the upright copy an orientation other
	// than 1 makes beside the decoded image (RGBA). It is taken from the
	// shared budget with the decode, but not held against the per-image
	// cap: every image within the pixel cap still decodes.
	UprightBytes int64
	// DecodedBytes is the memory a full decode takes: pixels at their bit
	// depth and channel count, plus the decoder's working buffers
	// (progressive JPEG coefficients, interlaced PNG passes).
	DecodedBytes int64
}

// Decoder decodes stored images within the limits and the shared budget.
type Decoder struct {
	budget *Budget
	lim    Limits
	wait   time.Duration
}

// NewDecoder returns a decoder drawing from budget (nil: a private one of
// the default size); a decode that cannot get its share within wait is
// refused as busy.
func NewDecoder(b *Budget, lim Limits, wait time.Duration) *Decoder {
	if b == nil {
		b = NewBudget(0)
	}
	if wait <= 0 {
		wait = 2 * time.Second
	}
	return &Decoder{budget: b, lim: lim.withDefaults(), wait: wait}
}

// WithWait returns a decoder of the same budget and limits with another wait
// (the checks of a worker wait longer than an upload request).
func (d *Decoder) WithWait(wait time.Duration) *Decoder {
	c := *d
	c.wait = wait
	return &c
}

// Inspect reads only the header and refuses an image above the pixel cap or
// whose decoded size is above the per-image cap.
func (d *Decoder) Inspect(open func() (io.ReadCloser, error)) (Image, error) {
	r, err := open()
	if err != nil {
		return Image{}, err
	}
	defer r.Close()
	im, err := inspect(bufio.NewReaderSize(r, 64<<10))
	if err != nil {
		return im, err
	}
	if int64(im.Width)*int64(im.Height) > d.lim.MaxPixels {
		return im, kyc.TooLarge("file", "the image has %dx%d pixels, more than the limit of %d", im.Width, im.Height, d.lim.MaxPixels)
	}
	if im.DecodedBytes > d.lim.MaxImageBytes {
		return im, kyc.TooLarge("file", "the image (%dx%d, %s) would take %d bytes to decode, more than the limit of %d",
			im.Width, im.Height, im.Format, im.DecodedBytes, d.lim.MaxImageBytes)
	}
	return im, nil
}

// Decode checks the header (Inspect), takes copies × the decoded size from
// the budget, decodes the image fully and hands it to use (which may be nil)
// while the share is held. copies counts the decoded-size buffers use keeps
// at once (error level analysis holds a re-saved copy: 2).
func (d *Decoder) Decode(ctx context.Context, open func() (io.ReadCloser, error), copies int, use func(image.Image, Image) error) (Image, error) {
	img, im, release, err := d.DecodeHeld(ctx, open, copies)
	if err != nil {
		return im, err
	}
	defer release()
	if use != nil {
		return im, use(img, im)
	}
	return im, nil
}

// DecodeHeld is Decode for callers that keep the pixels beyond a callback:
// the share stays taken until they call release (exactly once).
func (d *Decoder) DecodeHeld(ctx context.Context, open func() (io.ReadCloser, error), copies int) (image.Image, Image, func(), error) {
	im, err := d.Inspect(open)
	if err != nil {
		return nil, im, nil, err
	}
	release, err := d.budget.Acquire(ctx, int64(max(1, copies))*im.DecodedBytes+im.UprightBytes, d.wait)
	if err != nil {
		return nil, im, nil, err
	}
	r, err := open()
	if err != nil {
		release()
		return nil, im, nil, err
	}
	img, _, derr := image.Decode(bufio.NewReaderSize(r, 64<<10))
	r.Close()
	if derr != nil {
		release()
		return nil, im, nil, reject("the image does not decode: %s", cleanErr(derr))
	}
	w, h := im.Width, im.Height
	if im.Orientation.Swaps() {
		w, h = h, w
	}
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
		release()
		return nil, im, nil, reject("the image's size differs from its header")
	}
	return Upright(img, im.Orientation), im, release, nil
}

// inspect reads the header of an image and estimates its decoded size.
func inspect(r *bufio.Reader) (Image, error) {
	// A copy: DecodeConfig reads on and may refill the reader's buffer
	// (a 64 KB EXIF segment does), which would change head under us.
	peek, _ := r.Peek(64 << 10)
	head := append([]byte(nil), peek...)
	cfg, format, err := image.DecodeConfig(r)
	if err != nil {
		return Image{}, reject("the image header cannot be read: %s", cleanErr(err))
	}
	im := Image{Width: cfg.Width, Height: cfg.Height, Format: format}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return im, reject("the image has no pixels")
	}
	px := int64(cfg.Width) * int64(cfg.Height)
	switch format {
	case "jpeg":
		im.DecodedBytes = jpegDecodedBytes(head, cfg, px)
		if im.Orientation = jpegOrientation(head); im.Orientation > 1 {
			im.UprightBytes = px * 4
			if im.Orientation.Swaps() {
				im.Width, im.Height = im.Height, im.Width
			}
		}
	case "png":
		im.DecodedBytes = px * bytesPerPixel(cfg.ColorModel)
		if len(head) > 28 && head[28] == 1 { // Adam7: each pass is decoded into an image of its own, then merged
			im.DecodedBytes *= 2
		}
	default: // webp: lossless decodes to NRGBA, lossy to YCbCr with alpha
		im.DecodedBytes = px * 4
	}
	im.DecodedBytes += decoderOverhead
	return im, nil
}

// decoderOverhead covers a decoder's fixed working memory.
const decoderOverhead = 1 << 20

// bytesPerPixel is the size of a pixel of the image a decoder returns for a
// colour model.
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	case color.RGBAModel, color.NRGBAModel:
		return 4
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8 // unknown: the widest the standard decoders make
}

// jpegDecodedBytes sums the samples of every component at its sampling
// factors (the planes of the YCbCr, grey or CMYK image) and, for
// progressive JPEGs, the 32-bit coefficient of every sample that the
// decoder keeps until the last scan. Without a readable frame header it
// assumes the worst: four full-resolution progressive components.
func jpegDecodedBytes(head []byte, cfg image.Config, px int64) int64 {
	sof, comps, ok := jpegFrame(head)
	if !ok {
		return px * 4 * 5
	}
	hmax, vmax := 1, 1
	for _, c := range comps {
		hmax, vmax = max(hmax, c.h), max(vmax, c.v)
	}
	// Planes are allocated in whole MCUs.
	mcuW, mcuH := (cfg.Width+8*hmax-1)/(8*hmax), (cfg.Height+8*vmax-1)/(8*vmax)
	var samples int64
	for _, c := range comps {
		samples += int64(mcuW*8*c.h) * int64(mcuH*8*c.v)
	}
	n := samples
	if len(comps) == 4 {
		n += px * 4 // CMYK and YCCK are converted into a CMYK image
	}
	if sof == 0xC2 || sof == 0xC6 || sof == 0xCA || sof == 0xCE { // progressive
		n += samples * 4
	}
	return n
}

type jpegComp struct{ h, v int }

// jpegFrame walks the markers of a JPEG head to its frame header (SOFn).
func jpegFrame(b []byte) (sof byte, comps []jpegComp, ok bool) {
	if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
		return 0, nil, false
	}
	i := 2
	for i+4 <= len(b) {
		if b[i] != 0xFF {
			return 0, nil, false
		}
		m := b[i+1]
		if m == 0xFF { // fill
			i++
			continue
		}
		if m == 0x01 || (m >= 0xD0 && m <= 0xD7) {
			i += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 {
			return 0, nil, false
		}
		isSOF := m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC
		if isSOF {
			seg := b[i+4:]
			if len(seg) < 6 {
				return 0, nil, false
			}
			nc := int(seg[5])
			if nc < 1 || nc > 4 || len(seg) < 6+3*nc {
				return 0, nil, false
			}
			for k := 0; k < nc; k++ {
				hv := seg[6+3*k+1]
				h, v := int(hv>>4), int(hv&0x0F)
				if h < 1 || h > 4 || v < 1 || v > 4 {
					return 0, nil, false
				}
				comps = append(comps, jpegComp{h, v})
			}
			return m, comps, true
		}
		i += 2 + n
	}
	return 0, nil, false
}

func cleanErr(err error) string {
	var fe *kyc.FieldError
	if errors.As(err, &fe) {
		return fe.Msg
	}
	return fmt.Sprint(err)
}
