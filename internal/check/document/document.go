// Package document holds the document engine's image checks: quality
// (resolution, blur, glare, exposure), tamper hints (editing software,
// dates, camera metadata, error level analysis) and recapture (a photo of
// a screen, a grey photocopy). Tamper and recapture hints only ever ask
// for a reviewer; they never reject on their own.
package document

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	_ "image/png" // decoders
	"io"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/evanoberholster/imagemeta"

	"github.com/openkyc/openkyc/internal/check"
	"github.com/openkyc/openkyc/internal/check/quality"
	"github.com/openkyc/openkyc/internal/kyc"
)

// Checkers returns the engine's checks.
func Checkers() []check.Checker { return []check.Checker{Quality{}, TamperHints{}, RecaptureCheck{}} }

// photoKinds are the documents the checks look at.
var photoKinds = []kyc.DocumentKind{kyc.DocIDFront, kyc.DocIDBack}

// newestPhotos returns the newest image of each photo kind.
func newestPhotos(s *check.Subject) []kyc.Document {
	photos := &check.Subject{}
	for _, d := range s.Documents {
		if d.ContentType != "application/pdf" {
			photos.Documents = append(photos.Documents, d)
		}
	}
	newest := photos.Newest(photoKinds...)
	var out []kyc.Document
	for _, k := range photoKinds {
		if d, ok := newest[k]; ok {
			out = append(out, d)
		}
	}
	return out
}

func readAll(ctx context.Context, s *check.Subject, d kyc.Document) ([]byte, error) {
	rc, err := s.Env.OpenDocument(ctx, d)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// Quality is document.quality: on the document's region of each photo,
// large enough, sharp, free of glare and well exposed (internal/check/quality).
type Quality struct{}

func (Quality) Kind() kyc.CheckKind { return kyc.KindDocumentQuality }
func (Quality) Version() string     { return "1" }

func (Quality) Run(ctx context.Context, s *check.Subject) check.Result {
	docs := newestPhotos(s)
	if len(docs) == 0 {
		return check.NotApplicable("no id_front or id_back photo")
	}
	reports := map[string]quality.Report{}
	failed := false
	worst := 1.0
	for _, d := range docs {
		img, release, err := s.Env.DecodeImage(ctx, d, 1)
		if err != nil {
			return check.Errored(err)
		}
		// Judge the document itself, not the table it lies on.
		region := quality.DocumentRegion(img)
		if sub, ok := img.(interface {
			SubImage(image.Rectangle) image.Image
		}); ok {
			img = sub.SubImage(region)
		}
		r := quality.Assess(img)
		release()
		reports[string(d.Kind)] = r
		failed = failed || !r.OK()
		worst = math.Min(worst, math.Min(1, r.Sharpness/(4*quality.MinSharpness)))
	}
	ev := map[string]any{"documents": reports}
	if failed {
		return check.Result{Status: kyc.CheckFailed, ReasonCode: kyc.ReasonDocumentQuality, Evidence: ev}
	}
	return check.Result{Status: kyc.CheckPassed, Score: math.Round(worst*100) / 100, Evidence: ev}
}

// editors are software names that mark an edited photo.
var editors = []string{"photoshop", "gimp", "snapseed", "lightroom", "picsart", "pixlr", "canva", "affinity", "paint.net", "facetune",
	"photopea", "fotor", "befunky", "inkscape", "krita", "corel", "acdsee", "photodirector", "meitu", "vsco"}

// TamperHints is document.tamper_hints: EXIF editing-software tags, a
// modify date after the capture date, and (evidence only) missing camera
// metadata and the error-level-analysis score. Strong hints ask for review.
type TamperHints struct{}

func (TamperHints) Kind() kyc.CheckKind { return kyc.KindTamperHints }
func (TamperHints) Version() string     { return "1" }

// Hint is one finding.
type Hint struct {
	Kind   string `json:"kind"`
	Strong bool   `json:"strong"`
	Detail string `json:"detail,omitempty"`
}

// Inspect finds the hints of one image file (the CLI; the check decodes
// within the decode budget instead).
func Inspect(b []byte) (hints []Hint, ela map[string]float64) {
	hints = metadataHints(b)
	if img, format, err := image.Decode(bytes.NewReader(b)); err == nil && format == "jpeg" {
		ela = errorLevel(img)
	}
	return hints, ela
}

// metadataHints reads the EXIF hints of an image file.
func metadataHints(b []byte) []Hint {
	hints := []Hint{}
	ex, err := imagemeta.Decode(bytes.NewReader(b))
	if err != nil {
		hints = append(hints, Hint{Kind: "no_camera_metadata", Detail: "no EXIF data"})
	} else {
		sw := strings.ToLower(ex.Software + " " + ex.ProcessingSoftware)
		for _, e := range editors {
			if strings.Contains(sw, e) {
				hints = append(hints, Hint{Kind: "editing_software", Strong: true, Detail: e})
				break
			}
		}
		mod, orig := ex.ModifyDate(), ex.DateTimeOriginal()
		if !mod.IsZero() && !orig.IsZero() && mod.Sub(orig) > time.Minute {
			hints = append(hints, Hint{Kind: "modified_after_capture", Strong: true, Detail: mod.Sub(orig).Round(time.Second).String()})
		}
		if strings.TrimSpace(ex.Make) == "" && strings.TrimSpace(ex.Model) == "" {
			hints = append(hints, Hint{Kind: "no_camera_metadata", Detail: "no camera make or model"})
		}
	}
	return hints
}

// resaved re-saves a decoded JPEG at quality 90 and decodes it again (error
// level analysis compares the two; callers account for the second copy).
func resaved(img image.Image) (image.Image, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		return nil, err
	}
	return jpeg.Decode(&buf)
}

// ELAMap is the error level analysis as a heat map for reviewers: each
// pixel's difference from a re-save at quality 90, amplified and coloured
// (black, red, yellow, white), at most maxSide pixels wide or high (the
// largest difference of each block is kept). A region edited and saved fewer
// times than the rest glows brighter.
func ELAMap(img image.Image, maxSide int) (image.Image, error) {
	re, err := resaved(img)
	if err != nil {
		return nil, err
	}
	bd := img.Bounds()
	step := 1
	for bd.Dx()/step > maxSide || bd.Dy()/step > maxSide {
		step++
	}
	out := image.NewRGBA(image.Rect(0, 0, bd.Dx()/step, bd.Dy()/step))
	for oy := 0; oy < out.Rect.Dy(); oy++ {
		for ox := 0; ox < out.Rect.Dx(); ox++ {
			var peak float64
			for y := bd.Min.Y + oy*step; y < bd.Min.Y+(oy+1)*step; y++ {
				for x := bd.Min.X + ox*step; x < bd.Min.X+(ox+1)*step; x++ {
					r1, g1, b1, _ := img.At(x, y).RGBA()
					r2, g2, b2, _ := re.At(x, y).RGBA()
					d := (math.Abs(float64(r1)-float64(r2)) + math.Abs(float64(g1)-float64(g2)) + math.Abs(float64(b1)-float64(b2))) / 3 / 257
					peak = math.Max(peak, d)
				}
			}
			out.SetRGBA(ox, oy, heat(math.Min(1, peak*20/255)))
		}
	}
	return out, nil
}

// heat maps 0..1 to black → red → yellow → white.
func heat(v float64) color.RGBA {
	c := func(x float64) uint8 { return uint8(math.Round(255 * math.Max(0, math.Min(1, x)))) }
	return color.RGBA{R: c(v * 3), G: c(v*3 - 1), B: c(v*3 - 2), A: 255}
}

// errorLevel re-saves a JPEG at quality 90 and measures the difference per
// 16×16 block: an edited region, saved fewer times than the rest, stands
// out (max/median ratio). Evidence for reviewers, not a verdict.
func errorLevel(img image.Image) map[string]float64 {
	re, err := resaved(img)
	if err != nil {
		return nil
	}
	bd := img.Bounds()
	const blk = 16
	var blocks []float64
	var total float64
	n := 0
	for by := bd.Min.Y; by+blk <= bd.Max.Y; by += blk {
		for bx := bd.Min.X; bx+blk <= bd.Max.X; bx += blk {
			var sum float64
			for y := by; y < by+blk; y += 2 {
				for x := bx; x < bx+blk; x += 2 {
					r1, g1, b1, _ := img.At(x, y).RGBA()
					r2, g2, b2, _ := re.At(x, y).RGBA()
					sum += math.Abs(float64(r1)-float64(r2)) + math.Abs(float64(g1)-float64(g2)) + math.Abs(float64(b1)-float64(b2))
				}
			}
			v := sum / (blk * blk / 4) / 3 / 257
			blocks = append(blocks, v)
			total += v
			n++
		}
	}
	if n == 0 {
		return nil
	}
	sort.Float64s(blocks)
	median := blocks[n/2]
	ratio := 0.0
	if median > 0 {
		ratio = blocks[n-1] / median
	}
	return map[string]float64{"mean": math.Round(total/float64(n)*100) / 100, "max_block_ratio": math.Round(ratio*100) / 100}
}

func (TamperHints) Run(ctx context.Context, s *check.Subject) check.Result {
	docs := newestPhotos(s)
	if len(docs) == 0 {
		return check.NotApplicable("no id_front or id_back photo")
	}
	perDoc := map[string]TamperDocument{}
	strong := false
	for _, d := range docs {
		b, err := readAll(ctx, s, d)
		if err != nil {
			return check.Errored(err)
		}
		hints := metadataHints(b)
		var ela map[string]float64
		if d.ContentType == "image/jpeg" {
			// The original and its re-saved copy are held at once.
			img, release, err := s.Env.DecodeImage(ctx, d, 2)
			if err != nil {
				return check.Errored(err)
			}
			ela = errorLevel(img)
			release()
		}
		for _, h := range hints {
			strong = strong || h.Strong
		}
		perDoc[string(d.Kind)] = TamperDocument{ELA: ela, Hints: hints}
	}
	ev := map[string]any{"documents": perDoc}
	if strong {
		return check.Result{Status: kyc.CheckReview, ReasonCode: kyc.ReasonTamperHints, Evidence: ev}
	}
	return check.Result{Status: kyc.CheckPassed, Score: 1, Evidence: ev}
}
