package mrz

import (
	"image"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/openkyc/openkyc/internal/kyc"
)

// reading is what Read returns for lines read cleanly at confidence 98.
func reading(t *testing.T, lines []string) Reading {
	t.Helper()
	d, err := Parse(lines...)
	if err != nil {
		require.NotErrorIs(t, err, ErrFormat)
	}
	rd := Reading{Lines: lines, Document: d}
	for _, l := range lines {
		c := make([]float64, len(l))
		for i := range c {
			c[i] = 98
		}
		rd.CharConfidence = append(rd.CharConfidence, c)
	}
	return rd
}

func generated(t *testing.T, f Fields) []string {
	t.Helper()
	if f.Format == "" {
		f.Format = TD3
	}
	for k, v := range map[*string]string{&f.IssuingState: "UTO", &f.Nationality: "UTO", &f.Surname: "ERIKSSON", &f.GivenNames: "ANNA MARIA",
		&f.DocumentNumber: "L898902C3", &f.BirthDate: "740812", &f.Sex: "F", &f.ExpiryDate: "320415"} {
		if *k == "" {
			*k = v
		}
	}
	lines, err := Generate(f)
	require.NoError(t, err)
	return lines
}

func TestAssess(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		rd     func(t *testing.T) Reading
		status kyc.CheckStatus
		doubts []string
		low    []string
	}{
		{"clean reading passes", func(t *testing.T) Reading { return reading(t, generated(t, Fields{})) }, kyc.CheckPassed, nil, nil},
		{"TD1 passes", func(t *testing.T) Reading { return reading(t, generated(t, Fields{Format: TD1})) }, kyc.CheckPassed, nil, nil},
		{"a check digit that does not hold fails", func(t *testing.T) Reading {
			l := generated(t, Fields{})
			l[1] = l[1][:19] + "0" + l[1][20:] // birth date check digit (2 for 740812)
			return reading(t, l)
		}, kyc.CheckFailed, nil, nil},
		{"a surname read with low confidence", func(t *testing.T) Reading {
			rd := reading(t, generated(t, Fields{}))
			rd.CharConfidence[0][7] = 31 // in ERIKSSON
			return rd
		}, kyc.CheckReview, []string{DoubtConfidence}, []string{"surname"}},
		{"a name character below the names' floor (no check digit covers it)", func(t *testing.T) Reading {
			rd := reading(t, generated(t, Fields{}))
			rd.CharConfidence[0][7] = MinNameConfidence - 1 // in ERIKSSON
			return rd
		}, kyc.CheckReview, []string{DoubtConfidence}, []string{"surname"}},
		{"the same confidence is enough for a digit a check digit covers", func(t *testing.T) Reading {
			rd := reading(t, generated(t, Fields{}))
			rd.CharConfidence[1][2] = MinNameConfidence - 1 // in the document number
			return rd
		}, kyc.CheckPassed, nil, nil},
		{"a letter of the document number below the names' floor (C read for M holds every check digit)", func(t *testing.T) Reading {
			rd := reading(t, generated(t, Fields{}))
			rd.CharConfidence[1][7] = MinNameConfidence - 7 // the C of L898902C3
			return rd
		}, kyc.CheckReview, []string{DoubtConfidence}, []string{"document_number"}},
		{"a TD1 document number read with low confidence", func(t *testing.T) Reading {
			rd := reading(t, generated(t, Fields{Format: TD1}))
			rd.CharConfidence[0][9] = 40
			return rd
		}, kyc.CheckReview, []string{DoubtConfidence}, []string{"document_number"}},
		{"low confidence in the fillers is no doubt", func(t *testing.T) Reading {
			rd := reading(t, generated(t, Fields{}))
			rd.CharConfidence[0][40] = 20
			return rd
		}, kyc.CheckPassed, nil, nil},
		{"a filler added inside the given names", func(t *testing.T) Reading {
			rd := reading(t, generated(t, Fields{}))
			rd.CharConfidence[0][18] = -1 // ERIKSSON<<ANNA<MARIA: the M
			return rd
		}, kyc.CheckReview, []string{DoubtConfidence}, []string{"given_names"}},
		{"many repairs", func(t *testing.T) Reading {
			rd := reading(t, generated(t, Fields{}))
			rd.Repaired = MaxRepairs + 1
			return rd
		}, kyc.CheckReview, []string{DoubtRepairs}, nil},
		{"one repair", func(t *testing.T) Reading {
			rd := reading(t, generated(t, Fields{}))
			rd.Repaired = MaxRepairs
			return rd
		}, kyc.CheckPassed, nil, nil},
		{"characters cut off or added to fit", func(t *testing.T) Reading {
			rd := reading(t, generated(t, Fields{}))
			rd.Fitted = MaxFitted + 1
			return rd
		}, kyc.CheckReview, []string{DoubtFitted}, nil},
		{"expiry before birth", func(t *testing.T) Reading {
			return reading(t, generated(t, Fields{BirthDate: "900101", ExpiryDate: "850101"}))
		}, kyc.CheckReview, []string{DoubtDates}, nil},
		{"month 13", func(t *testing.T) Reading { return reading(t, generated(t, Fields{BirthDate: "901301"})) }, kyc.CheckReview, []string{DoubtDates}, nil},
		{"30 February expiry", func(t *testing.T) Reading { return reading(t, generated(t, Fields{ExpiryDate: "300230"})) }, kyc.CheckReview, []string{DoubtDates}, nil},
		{"a long validity is possible", func(t *testing.T) Reading {
			return reading(t, generated(t, Fields{BirthDate: "500101", ExpiryDate: "300101"}))
		}, kyc.CheckPassed, nil, nil},
		{"expiry before a birth date of the century before is possible", func(t *testing.T) Reading {
			return reading(t, generated(t, Fields{BirthDate: "121212", ExpiryDate: "110629"})) // 1912, expired 2011
		}, kyc.CheckPassed, nil, nil},
		{"K/< noise in the trailing fillers", func(t *testing.T) Reading {
			return reading(t, generated(t, Fields{Surname: "SPECIMEN", GivenNames: "SVEN    K"}))
		}, kyc.CheckReview, []string{DoubtNames}, nil},
		{"a second name separator", func(t *testing.T) Reading {
			return reading(t, generated(t, Fields{Format: TD1, Surname: "SPECIMEN", GivenNames: "SVEN  KK"}))
		}, kyc.CheckReview, []string{DoubtNames}, nil},
		{"a letter O among digits of the document number", func(t *testing.T) Reading {
			return reading(t, generated(t, Fields{DocumentNumber: "O0120186"}))
		}, kyc.CheckReview, []string{DoubtAmbiguous}, nil},
		{"a Z among digits of the document number", func(t *testing.T) Reading {
			return reading(t, generated(t, Fields{DocumentNumber: "S384013Z2"}))
		}, kyc.CheckReview, []string{DoubtAmbiguous}, nil},
		{"letters among letters are no doubt", func(t *testing.T) Reading {
			return reading(t, generated(t, Fields{Format: TD1, DocumentNumber: "K682T8YLO"}))
		}, kyc.CheckPassed, nil, nil},
		{"a letter starting the number is no doubt", func(t *testing.T) Reading {
			return reading(t, generated(t, Fields{DocumentNumber: "L898902C3"}))
		}, kyc.CheckPassed, nil, nil},
		{"a document code no ICAO document has", func(t *testing.T) Reading {
			return reading(t, generated(t, Fields{DocumentCode: "J"}))
		}, kyc.CheckReview, []string{DoubtFields}, nil},
		{"an unknown issuing state", func(t *testing.T) Reading { return reading(t, generated(t, Fields{IssuingState: "QQQ"})) }, kyc.CheckReview, []string{DoubtFields}, nil},
		{"every doubt at once", func(t *testing.T) Reading {
			rd := reading(t, generated(t, Fields{BirthDate: "901301", GivenNames: "ANNA   K"}))
			rd.Repaired, rd.Fitted = 23, 9
			rd.CharConfidence[1][2] = 10
			return rd
		}, kyc.CheckReview, []string{DoubtDates, DoubtNames, DoubtConfidence, DoubtRepairs, DoubtFitted}, []string{"document_number"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := Assess(tc.rd(t), now)
			require.Equal(t, tc.status, a.Status)
			require.Equal(t, tc.doubts, a.Doubts)
			require.Equal(t, tc.low, a.LowFields)
			switch tc.status {
			case kyc.CheckReview:
				require.Equal(t, kyc.ReasonMRZDoubtful, a.ReasonCode)
			case kyc.CheckFailed:
				require.Equal(t, kyc.ReasonMRZInvalid, a.ReasonCode)
			}
		})
	}
}

func TestAssessBirthInTheFuture(t *testing.T) {
	t.Parallel()
	rd := reading(t, generated(t, Fields{BirthDate: "900101"}))
	a := Assess(rd, time.Date(1989, 1, 1, 0, 0, 0, 0, time.UTC))
	require.Equal(t, kyc.CheckReview, a.Status)
	require.Equal(t, []string{DoubtDates}, a.Doubts)
}

func TestFieldConfidence(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		lines []string
		want  []string
	}{
		{"TD3", generated(t, Fields{}), []string{"document_number", "birth_date", "expiry_date", "surname", "given_names"}},
		{"TD1", generated(t, Fields{Format: TD1}), []string{"document_number", "birth_date", "expiry_date", "surname", "given_names"}},
		{"TD2 without given names", generated(t, Fields{Format: TD2, GivenNames: "-"}), []string{"document_number", "birth_date", "expiry_date", "surname"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rd := reading(t, tc.lines)
			fc := Assess(rd, time.Time{}).FieldConfidence
			require.Len(t, fc, len(tc.want))
			for _, f := range tc.want {
				require.Equal(t, 98.0, fc[f], f)
			}
		})
	}
}

func TestParseHOCR(t *testing.T) {
	t.Parallel()
	hocr := `<div class='ocr_page' id='page_1'>
     <span class='ocr_line' id='line_1_1' title="bbox 31 19 1059 43">
      <span class='ocrx_word' id='word_1_1' title='bbox 31 19 1059 43; x_wconf 92'>
       <span class='ocrx_cinfo' title='x_bboxes 31 20 48 43; x_conf 99.04'>P</span>
       <span class='ocrx_cinfo' title='x_bboxes 54 21 71 42; x_conf 41.5'>&lt;</span>
      </span>
      <span class='ocrx_word' id='word_1_2' title='bbox 31 19 1059 43; x_wconf 80'>
       <span class='ocrx_cinfo' title='x_bboxes 78 19 94 43; x_conf 70'>S</span>
      </span>
     </span>
     <span class='ocr_line' id='line_1_2' title="bbox 31 60 1059 90">
      <span class='ocrx_word' id='word_1_3' title='bbox 31 19 1059 43; x_wconf 10'>
      </span>
      <span class='ocrx_word' id='word_1_4' title='bbox 31 19 1059 43; x_wconf 90'>
       <span class='ocrx_cinfo' title='x_bboxes 78 19 94 43; x_conf 90'>1</span>
      </span>
     </span>
`
	lines := parseHOCR([]byte(hocr))
	require.Equal(t, []hocrLine{
		{text: "P<S", chars: []float64{99.04, 41.5, 70}, xs: []float64{39.5, 62.5, 86}, wconf: []float64{92, 80}, box: image.Rect(31, 19, 1059, 43)},
		{text: "1", chars: []float64{90}, xs: []float64{86}, wconf: []float64{90}, box: image.Rect(31, 60, 1059, 90)},
	}, lines)
}

func TestRepairTracksOrigins(t *testing.T) {
	t.Parallel()
	lines := []string{"P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"}
	// an edge read as "I" before line 2, line 1 read 3 fillers short, an O for a 0
	f := repair([]string{lines[0][:41], "I" + lines[1][:13] + "74O8122F1204159ZE184226B<<<<<10"})
	require.Equal(t, lines, f.lines)
	require.Equal(t, 1, f.changed)
	require.Equal(t, 1, f.dropped)
	require.Equal(t, []int{39, 40, -1, -1, -1}, f.src[0][39:])
	require.Equal(t, 1, f.src[1][0], "line 2 starts after the cut")
}
