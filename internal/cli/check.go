package cli

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	ucli "github.com/urfave/cli/v3"

	"github.com/openkyc/openkyc/internal/check/barcode"
	"github.com/openkyc/openkyc/internal/check/document"
	"github.com/openkyc/openkyc/internal/check/mrz"
	"github.com/openkyc/openkyc/internal/check/quality"
	"github.com/openkyc/openkyc/internal/check/viz"
	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/docfile"
	"github.com/openkyc/openkyc/internal/kyc"
)

// checkCommand runs the document engines on a file, for operators.
func checkCommand(stdout io.Writer) *ucli.Command {
	return &ucli.Command{
		Name: "check", Usage: "run verification engines on a file",
		Commands: []*ucli.Command{{
			Name: "document", Usage: "run the document engines (file validation, quality, tamper hints, barcodes, printed zone, MRZ) on an image and print every result",
			ArgsUsage: "FILE",
			Flags: []ucli.Flag{
				&ucli.StringFlag{Name: "kind", Value: "id_front", Usage: "document kind the file is (id_front, id_back, ...)"},
				&ucli.StringFlag{Name: "assets-dir", Value: config.DefaultAssetsDir, Sources: ucli.EnvVars("OPENKYC_ASSETS_DIR"), Usage: "engines' assets (tessdata)"},
				&ucli.BoolFlag{Name: "json", Usage: "print JSON"},
				&ucli.StringFlag{Name: "country", Usage: "issuing country of the document (ISO 3166 alpha-2), when known: the printed zone is read in its languages"},
				&ucli.StringFlag{Name: "debug-dir", Usage: "write what the MRZ reader saw there: the lines it located, the straightened and binarised lines given to OCR, and each pass's reading"},
			},
			Action: func(ctx context.Context, cmd *ucli.Command) error {
				path := cmd.Args().First()
				if path == "" {
					return fmt.Errorf("give the image file: openkyc check document FILE")
				}
				b, err := os.ReadFile(path)
				if err != nil {
					return err
				}
				var dbg mrz.Debugger
				dd := &debugDir{dir: cmd.String("debug-dir")}
				if dd.dir != "" {
					if err := os.MkdirAll(dd.dir, 0o700); err != nil {
						return fmt.Errorf("--debug-dir: %w", err)
					}
					dbg = dd
				}
				out, err := checkDocument(ctx, b, kyc.DocumentKind(cmd.String("kind")), cmd.String("assets-dir"), cmd.String("country"), dbg)
				if err != nil {
					return err
				}
				if dd.err != nil {
					return fmt.Errorf("--debug-dir: %w", dd.err)
				}
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				if !cmd.Bool("json") {
					fmt.Fprintf(stdout, "%s (%s)\n", path, cmd.String("kind"))
				}
				return enc.Encode(out)
			},
		}},
	}
}

func checkDocument(ctx context.Context, b []byte, kind kyc.DocumentKind, assets, country string, dbg mrz.Debugger) (map[string]any, error) {
	if !kind.Valid() {
		return nil, fmt.Errorf("--kind: unknown document kind %q", kind)
	}
	out := map[string]any{}
	v := docfile.NewValidator(kind, docfile.Limits{})
	_, _ = v.Write(b)
	res, err := v.Close()
	if err != nil {
		out["file"] = map[string]any{"status": "failed", "problem": err.Error()}
		return out, nil
	}
	if res.ContentType == docfile.PDF {
		if err := docfile.CheckPDF(b); err != nil {
			out["file"] = map[string]any{"status": "failed", "problem": err.Error()}
			return out, nil
		}
	}
	file := map[string]any{"status": "passed", "content_type": res.ContentType, "size": res.Size, "sha256": res.SHA256}
	if res.Trailer != nil {
		// The upload would store the image without it: so do the checks.
		file["removed_trailer"] = res.Trailer
		b = b[:res.Size]
	}
	out["file"] = file
	if res.ContentType == docfile.PDF {
		return out, nil
	}
	// Decoded as the engines decode stored documents: EXIF orientation applied.
	img, _, release, err := docfile.NewDecoder(nil, docfile.Limits{}, time.Minute).DecodeHeld(ctx,
		func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }, 2)
	if err != nil {
		return nil, err
	}
	defer release()
	q := quality.Assess(img)
	out[string(kyc.KindDocumentQuality)] = map[string]any{"ok": q.OK(), "report": q}
	hints, ela := document.Inspect(b)
	out[string(kyc.KindTamperHints)] = map[string]any{"hints": hints, "ela": ela}
	out["barcodes"] = readBarcodes(ctx, img)
	out["printed_zone"] = readPrintedZone(ctx, img, country)
	r := mrz.Reader{TessdataDir: filepath.Join(assets, "tessdata"), Debug: dbg}
	if gf, err := mrz.LoadGlyphFont(mrz.DefaultGlyphFont); err == nil {
		r.Glyphs = gf // the glyph matcher's second opinion on small text, when fonts-ocr-b is installed
	}
	if err := r.Available(); err != nil {
		out[string(kyc.KindMRZ)] = map[string]any{"status": "not_run", "reason": err.Error()}
		return out, nil
	}
	rd, err := r.Read(ctx, img)
	switch {
	case err != nil:
		out[string(kyc.KindMRZ)] = map[string]any{"status": "not_run", "reason": err.Error()}
	default: // what the check document.mrz concludes: passed, failed or review (with the doubts)
		a := mrz.Assess(rd, time.Now())
		res := map[string]any{"status": a.Status, "reading": rd, "field_confidence": a.FieldConfidence}
		if a.Status == kyc.CheckReview {
			res["reason_code"], res["doubts"] = a.ReasonCode, a.Doubts
		}
		out[string(kyc.KindMRZ)] = res
	}
	return out, nil
}

// readPrintedZone reads the image's printed zone (document.viz's reader):
// the fields with their confidences, the titles' type and country.
// country is the issuing country when known (alpha-2, or "").
func readPrintedZone(ctx context.Context, img image.Image, country string) map[string]any {
	r := &viz.Reader{Timeout: time.Minute} // an operator's tool: no pipeline waits on it
	rd, err := r.Read(ctx, img, strings.ToUpper(country), time.Now())
	if err != nil {
		return map[string]any{"status": "not_run", "reason": err.Error()}
	}
	return map[string]any{"reading": rd, "confident": viz.Confident}
}

// readBarcodes decodes the image's PDF417 and QR codes and parses AAMVA
// DL/ID data where a code holds it.
func readBarcodes(ctx context.Context, img image.Image) map[string]any {
	r := barcode.Reader{}
	if err := r.Available(); err != nil {
		return map[string]any{"status": "not_run", "reason": err.Error()}
	}
	codes, err := r.ReadImage(ctx, img)
	if err != nil {
		return map[string]any{"status": "not_run", "reason": err.Error()}
	}
	found := []map[string]any{}
	for _, c := range codes {
		item := map[string]any{"format": c.Format, "text": c.Text}
		if l, err := barcode.ParseAAMVA([]byte(c.Text)); err == nil {
			item["aamva"] = l
		} else if !errors.Is(err, barcode.ErrNotAAMVA) {
			item["aamva_problem"] = err.Error()
		}
		found = append(found, item)
	}
	return map[string]any{"status": "read", "codes": found}
}

// debugDir writes the MRZ reader's debug output to files in dir (PNG
// images, text readings); the first write error is kept and reported.
type debugDir struct {
	dir string
	err error
}

func (d *debugDir) Image(name string, img image.Image) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		d.err = cmp.Or(d.err, err)
		return
	}
	d.write(name, buf.Bytes())
}

func (d *debugDir) Text(name, text string) { d.write(name, []byte(text)) }

func (d *debugDir) write(name string, b []byte) {
	if err := os.WriteFile(filepath.Join(d.dir, filepath.Base(name)), b, 0o600); err != nil {
		d.err = cmp.Or(d.err, err)
	}
}
