package config_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/check/tesseract"
	"github.com/openkyc/openkyc/internal/config"
)

func TestValidateOCR(t *testing.T) {
	t.Parallel()
	base := func() config.Config {
		return config.Config{DataDir: t.TempDir(), MaxUploadBytes: config.DefaultMaxUploadBytes, MaxImagePixels: config.DefaultMaxImagePixels}
	}
	c := base()
	require.NoError(t, c.Validate())
	require.Equal(t, tesseract.ModeAuto, c.OCR)
	require.Equal(t, tesseract.DefaultIdleEngines, c.OCREngines)

	for _, tc := range []struct {
		name    string
		set     func(*config.Config)
		wantErr string
	}{
		{"program", func(c *config.Config) { c.OCR = tesseract.ModeProgram }, ""},
		{"unknown mode", func(c *config.Config) { c.OCR = "gpu" }, "ocr: must be auto or program"},
		{"one engine", func(c *config.Config) { c.OCREngines = 1 }, ""},
		{"negative engines", func(c *config.Config) { c.OCREngines = -1 }, "ocr-engines: must be between 1 and 1024"},
		{"too many engines", func(c *config.Config) { c.OCREngines = 1025 }, "ocr-engines: must be between 1 and 1024"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := base()
			tc.set(&c)
			err := c.Validate()
			if tc.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tc.wantErr)
		})
	}
}
