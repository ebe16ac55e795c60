package viz_test

import (
	"context"
	"fmt"
	"image"
	"image/draw"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/check/quality"
	"github.com/openkyc/openkyc/internal/check/viz"
	"github.com/openkyc/openkyc/internal/kyctest"
)

// TestReadRendered reads generated fronts with tesseract: a UK licence's
// numbered fields (its number settled by its scheme, the issue number
// after it dropped) and a German card whose serial holds no O.
func TestReadRendered(t *testing.T) {
	t.Parallel()
	r := &viz.Reader{Timeout: 2 * time.Minute}
	kyctest.NeedOCR(t, r.Available())
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		front  kyctest.IDFront
		scheme string
	}{
		{kyctest.IDFront{Style: "GB-DL", Country: "GB", DocumentType: "driving_license", Surname: "MORGAN", GivenNames: "SARAH MEREDITH",
			BirthDate: "1976-03-11", IssueDate: "2019-01-19", ExpiryDate: "2029-01-18", DocumentNumber: "MORGA753116SM9IJ", Sex: "F"}, "UK driving licence number"},
		{kyctest.IDFront{Style: "DE", Country: "DE", DocumentType: "id_card", Surname: "MUSTERMANN", GivenNames: "ERIKA",
			BirthDate: "1964-08-12", ExpiryDate: "2031-06-30", DocumentNumber: "L01X00T47", Nationality: "DE"}, "German identity card or passport serial number"},
	}
	for _, tt := range tests {
		t.Run(tt.front.Style, func(t *testing.T) {
			t.Parallel()
			rd, err := r.Read(context.Background(), tt.front.Render(1200, 1), "", now)
			require.NoError(t, err)
			want := map[string]string{viz.FieldSurname: tt.front.Surname, viz.FieldGivenNames: tt.front.GivenNames, viz.FieldBirthDate: tt.front.BirthDate,
				viz.FieldExpiryDate: tt.front.ExpiryDate, viz.FieldDocumentNumber: tt.front.DocumentNumber}
			for k, v := range want {
				require.Equal(t, v, rd.Fields[k].Value, "%s: %+v", k, rd.Fields[k])
			}
			require.Equal(t, tt.scheme, rd.Fields[viz.FieldDocumentNumber].Scheme)
			require.Empty(t, rd.Fields[viz.FieldDocumentNumber].Problem)
			require.Equal(t, tt.front.Country, rd.IssuingCountry)
			require.Equal(t, []string{tt.front.DocumentType}, rd.DocumentTypes)
		})
	}
}

// TestReadTurned reads a front photographed a quarter or half turn round:
// the orientation detection turns it back.
func TestReadTurned(t *testing.T) {
	t.Parallel()
	r := &viz.Reader{Timeout: 2 * time.Minute}
	kyctest.NeedOCR(t, r.Available())
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	front := kyctest.IDFront{Style: "ES", Country: "ES", DocumentType: "id_card", Surname: "GARCÍA", GivenNames: "JOSÉ LUIS",
		BirthDate: "1985-04-23", ExpiryDate: "2031-06-30", IssueDate: "2021-06-30", DocumentNumber: "BAA000589", Sex: "M", Nationality: "ES"}
	img := front.Render(1200, 2)
	gray := image.NewGray(img.Bounds())
	draw.Draw(gray, gray.Bounds(), img, image.Point{}, draw.Src)
	for _, turn := range []int{90, 180, 270} {
		t.Run(fmt.Sprint(turn), func(t *testing.T) {
			t.Parallel()
			rd, err := r.Read(context.Background(), quality.Turn(gray, turn), "", now)
			require.NoError(t, err)
			require.Equal(t, (360-turn)%360, rd.Turn)
			require.Equal(t, "GARCÍA", rd.Fields[viz.FieldSurname].Value)
			require.Equal(t, "1985-04-23", rd.Fields[viz.FieldBirthDate].Value)
			require.Equal(t, "BAA000589", rd.Fields[viz.FieldDocumentNumber].Value)
		})
	}
}

// TestReadChinese reads a generated Chinese resident identity card (its
// labels in the Chinese dictionary, the date 年月日, the number's check
// character and birth date, the period of validity's end).
func TestReadChinese(t *testing.T) {
	t.Parallel()
	r := &viz.Reader{Timeout: 2 * time.Minute}
	kyctest.NeedOCR(t, r.Available())
	if _, _, err := kyctest.CJKFont(); err != nil {
		t.Skip(err)
	}
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	front := kyctest.IDFront{Style: "CN", Country: "CN", DocumentType: "id_card", FullName: "张伟", BirthDate: "1987-06-15",
		IssueDate: "2016-03-01", ExpiryDate: "2036-03-01", DocumentNumber: "110101198706150013", Sex: "M"}
	img := front.Render(1200, 1)
	// the country declared: the English first pass of an undeclared card
	// cannot read its Chinese titles
	rd, err := r.Read(context.Background(), img, "CN", now)
	require.NoError(t, err)
	// the birth date (1987 年 6 月 15 日) is often misread where the
	// Chinese characters meet the Go fonts' digits: never confidently
	if b, ok := rd.Fields[viz.FieldBirthDate]; ok && b.Confidence >= viz.Confident {
		require.Equal(t, "1987-06-15", b.Value)
	}
	want := map[string]string{viz.FieldFullName: "张伟", viz.FieldExpiryDate: "2036-03-01",
		viz.FieldDocumentNumber: "110101198706150013", viz.FieldSex: "M"}
	for k, v := range want {
		require.Equal(t, v, rd.Fields[k].Value, "%s: %+v", k, rd.Fields[k])
	}
	require.Equal(t, "Chinese resident identity card number", rd.Fields[viz.FieldDocumentNumber].Scheme)
	require.Equal(t, "CN", rd.IssuingCountry)
	require.Equal(t, []string{"id_card"}, rd.DocumentTypes)
}
