package mrz

import (
	"fmt"
	"strings"
)

// Fields describe an MRZ to generate (fixtures, tests, operators' tools).
type Fields struct {
	Format         Format
	DocumentCode   string // default P (TD3), I (TD1/TD2), V (visas)
	IssuingState   string
	Surname        string
	GivenNames     string
	DocumentNumber string
	Nationality    string
	BirthDate      string // YYMMDD
	Sex            string // M, F or X
	ExpiryDate     string // YYMMDD
	OptionalData1  string
	OptionalData2  string // TD1 line 2
}

// mrzText upper-cases s and replaces spaces and separators with fillers.
func mrzText(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		}
		return '<'
	}, s)
}

func pad(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s + strings.Repeat("<", n-len(s))
}

func cd(s string) string {
	c, _ := Compute(s)
	return string(c)
}

// Generate builds the lines of an MRZ with correct check digits. Names are
// truncated to fit; a TD1 or TD2 document number longer than 9 characters
// continues in the optional data.
func Generate(f Fields) ([]string, error) {
	name := mrzText(f.Surname) + "<<" + mrzText(f.GivenNames)
	sex := f.Sex
	if sex == "" || sex == "X" {
		sex = "<"
	}
	state, nat := pad(mrzText(f.IssuingState), 3), pad(mrzText(f.Nationality), 3)
	num := mrzText(f.DocumentNumber)
	if len(f.BirthDate) != 6 || len(f.ExpiryDate) != 6 {
		return nil, fmt.Errorf("mrz: dates must be YYMMDD")
	}
	code := func(def string) string {
		if f.DocumentCode != "" {
			return pad(mrzText(f.DocumentCode), 2)
		}
		return pad(def, 2)
	}
	numField := func(opt string, optLen int) (string, string, string) {
		if len(num) <= 9 {
			return pad(num, 9), cd(pad(num, 9)), pad(opt, optLen)
		}
		rest := num[9:] + cd(num)
		return num[:9], "<", pad(rest+"<"+opt, optLen)
	}
	switch f.Format {
	case TD3:
		opt := pad(mrzText(f.OptionalData1), 14)
		optCD := cd(opt)
		if strings.Trim(opt, "<") == "" {
			optCD = "<"
		}
		n := pad(num, 9)
		l2 := n + cd(n) + nat + f.BirthDate + cd(f.BirthDate) + sex + f.ExpiryDate + cd(f.ExpiryDate) + opt + optCD
		l2 += cd(l2[0:10] + l2[13:20] + l2[21:43])
		return []string{pad(code("P")+state+name, 44), l2}, nil
	case TD2:
		n, ncd, opt := numField(mrzText(f.OptionalData1), 7)
		l2 := n + ncd + nat + f.BirthDate + cd(f.BirthDate) + sex + f.ExpiryDate + cd(f.ExpiryDate) + opt
		l2 += cd(l2[0:10] + l2[13:20] + l2[21:35])
		return []string{pad(code("I")+state+name, 36), l2}, nil
	case TD1:
		n, ncd, opt := numField(mrzText(f.OptionalData1), 15)
		l1 := code("I") + state + n + ncd + opt
		l2 := f.BirthDate + cd(f.BirthDate) + sex + f.ExpiryDate + cd(f.ExpiryDate) + nat + pad(mrzText(f.OptionalData2), 11)
		l2 += cd(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29])
		return []string{l1, l2, pad(name, 30)}, nil
	case MRVA, MRVB:
		width, optLen := 44, 16
		if f.Format == MRVB {
			width, optLen = 36, 8
		}
		n := pad(num, 9)
		l2 := n + cd(n) + nat + f.BirthDate + cd(f.BirthDate) + sex + f.ExpiryDate + cd(f.ExpiryDate) + pad(mrzText(f.OptionalData1), optLen)
		return []string{pad(code("V")+state+name, width), l2}, nil
	}
	return nil, fmt.Errorf("mrz: unknown format %q", f.Format)
}
