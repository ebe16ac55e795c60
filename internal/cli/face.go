package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // photo decoders
	_ "image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	ucli "github.com/urfave/cli/v3"

	"github.com/openkyc/openkyc/internal/check/face"
	"github.com/openkyc/openkyc/internal/config"
	"github.com/openkyc/openkyc/internal/docfile"
)

// Face-match thresholds of the default level (face.match).
const (
	FaceMatch  = 0.40
	FaceReview = 0.25
)

// faceCommand lets operators calibrate thresholds on their own photos.
func faceCommand(stdout io.Writer) *ucli.Command {
	assets := &ucli.StringFlag{Name: "assets-dir", Value: config.DefaultAssetsDir, Sources: ucli.EnvVars("OPENKYC_ASSETS_DIR"), Usage: "engines' assets (onnxruntime, models)"}
	open := func(cmd *ucli.Command) (*face.Engine, error) {
		dir := cmd.String("assets-dir")
		return face.Open(face.Config{RuntimeLib: filepath.Join(dir, "onnxruntime", "libonnxruntime.so.1"), ModelsDir: filepath.Join(dir, "models")})
	}
	// load decodes a photo as the server does: within the pixel cap, EXIF
	// orientation applied (a phone's portrait selfie is stored sideways).
	load := func(path string) (image.Image, error) {
		dec := docfile.NewDecoder(nil, docfile.Limits{MaxPixels: config.DefaultMaxImagePixels}, time.Minute)
		var img image.Image
		_, err := dec.Decode(context.Background(), func() (io.ReadCloser, error) { return os.Open(path) }, 1, func(m image.Image, _ docfile.Image) error {
			img = m
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return img, nil
	}
	print := func(v any) error {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	return &ucli.Command{
		Name: "face", Usage: "face engine tools for calibrating thresholds",
		Commands: []*ucli.Command{
			{
				Name: "detect", Usage: "detect faces on an image and print boxes, scores and landmarks", ArgsUsage: "IMAGE",
				Flags: []ucli.Flag{assets, &ucli.BoolFlag{Name: "json", Usage: "print JSON (the only format)"}},
				Action: func(_ context.Context, cmd *ucli.Command) error {
					if cmd.Args().Len() != 1 {
						return errors.New("give one image: openkyc face detect IMAGE")
					}
					e, err := open(cmd)
					if err != nil {
						return err
					}
					img, err := load(cmd.Args().First())
					if err != nil {
						return err
					}
					faces, err := e.Detect(img)
					if err != nil {
						return err
					}
					return print(map[string]any{"faces": faces})
				},
			},
			{
				Name: "compare", Usage: "compare the largest face of two images: score (cosine) and verdict", ArgsUsage: "IMAGE_A IMAGE_B",
				Flags: []ucli.Flag{assets, &ucli.BoolFlag{Name: "json", Usage: "print JSON (the only format)"}},
				Action: func(_ context.Context, cmd *ucli.Command) error {
					if cmd.Args().Len() != 2 {
						return errors.New("give two images: openkyc face compare IMAGE_A IMAGE_B")
					}
					e, err := open(cmd)
					if err != nil {
						return err
					}
					var embs [2][]float32
					var counts [2]int
					for i, path := range cmd.Args().Slice() {
						img, err := load(path)
						if err != nil {
							return err
						}
						faces, err := e.Detect(img)
						if err != nil {
							return err
						}
						counts[i] = len(faces)
						if len(faces) == 0 {
							return print(map[string]any{"score": nil, "verdict": "no_face", "faces_a": counts[0], "faces_b": counts[1], "image": path})
						}
						best := faces[0]
						for _, f := range faces[1:] {
							if f.Box.Dx()*f.Box.Dy() > best.Box.Dx()*best.Box.Dy() {
								best = f
							}
						}
						if embs[i], err = e.Embed(img, best); err != nil {
							return err
						}
					}
					score := face.Cosine(embs[0], embs[1])
					verdict := "mismatch"
					switch {
					case score >= FaceMatch:
						verdict = "match"
					case score >= FaceReview:
						verdict = "review"
					}
					return print(map[string]any{"score": math.Round(score*1000) / 1000, "verdict": verdict, "faces_a": counts[0], "faces_b": counts[1]})
				},
			},
		},
	}
}
