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
	require.Equal(t, config.DefaultRescreenDuty, c.RescreenDuty)

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
		{"rescreen flat out", func(c *config.Config) { c.RescreenDuty = 1 }, ""},
		{"rescreen too slow", func(c *config.Config) { c.RescreenDuty = 0.01 }, "rescreen-duty: must be between 0.05 and 1"},
		{"rescreen over 1", func(c *config.Config) { c.RescreenDuty = 1.5 }, "rescreen-duty: must be between 0.05 and 1"},
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
