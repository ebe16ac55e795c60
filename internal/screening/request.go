package screening

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/openkyc/openkyc/internal/kyc"
)

// Request is a screening request: the body of POST /v1/screenings and
// the flags of `openkyc screen`.
type Request struct {
	Name        string   `json:"name"`
	DateOfBirth string   `json:"date_of_birth,omitempty"`
	Nationality string   `json:"nationality,omitempty"`
	Gender      string   `json:"gender,omitempty"`
	Type        string   `json:"type,omitempty"`
	Threshold   *float64 `json:"threshold,omitempty"`
	Limit       int      `json:"limit,omitempty"`
}

// Response is the answer to a screening request: hits ranked by score and
// the versions of the lists searched; warnings say where the search was
// bounded (SearchInfo).
type Response struct {
	Hits     []Hit      `json:"hits"`
	Lists    []ListInfo `json:"lists"`
	Warnings []string   `json:"warnings,omitempty"`
}

// ListInfo identifies a list version in answers.
type ListInfo struct {
	List      string `json:"list"`
	Published string `json:"published,omitempty"`
	SHA256    string `json:"sha256"`
	Entries   int    `json:"entries"`
}

// Limits of a request.
const (
	MaxNameLength = 300
	MaxLimit      = 100
)

// Query validates the request and turns it into a query; errors name the
// field and the rule.
func (r Request) Query() (Query, error) {
	q := Query{Name: strings.TrimSpace(r.Name), BirthDate: strings.TrimSpace(r.DateOfBirth), Gender: strings.ToLower(strings.TrimSpace(r.Gender)),
		Type: strings.ToLower(strings.TrimSpace(r.Type)), Threshold: DefaultThreshold, Limit: r.Limit}
	switch {
	case q.Name == "":
		return q, kyc.Invalid("name", "required", "is required")
	case !utf8.ValidString(q.Name):
		return q, kyc.Invalid("name", "format", "must be UTF-8 text")
	case utf8.RuneCountInString(q.Name) > MaxNameLength:
		return q, kyc.Invalid("name", "max_length", "must be at most %d characters", MaxNameLength)
	}
	if strings.IndexFunc(q.Name, unicode.IsLetter) < 0 {
		return q, kyc.Invalid("name", "format", "must contain letters")
	}
	if !usableName(tokenize(q.Name)) {
		return q, kyc.Invalid("name", "name_part", "must contain a name part of two letters or more besides particles, titles and legal forms")
	}
	if q.BirthDate != "" {
		ok := false
		for _, layout := range []string{"2006", "2006-01", "2006-01-02"} {
			if len(q.BirthDate) == len(layout) {
				if _, err := time.Parse(layout, q.BirthDate); err == nil {
					ok = true
				}
			}
		}
		if !ok {
			return q, kyc.Invalid("date_of_birth", "format", "must be YYYY, YYYY-MM or YYYY-MM-DD")
		}
	}
	if n := strings.TrimSpace(r.Nationality); n != "" {
		if Country(n) == "" {
			return q, kyc.Invalid("nationality", "format", "must be an ISO 3166 alpha-2 code or an English country name")
		}
		q.Nationality = n
	}
	switch q.Gender {
	case "", "male", "female":
	case "other", "unknown":
		q.Gender = "" // no qualifier
	default:
		return q, kyc.Invalid("gender", "enum", "must be male, female, other or unknown")
	}
	switch q.Type {
	case "", TypePerson, TypeEntity, TypeVessel, TypeAircraft:
	case "organization", "organisation", "company":
		q.Type = TypeEntity // KYB: companies and organisations are entities
	default:
		return q, kyc.Invalid("type", "enum", "must be person, organization (or entity), vessel or aircraft")
	}
	if r.Threshold != nil {
		if *r.Threshold < 0 || *r.Threshold > 1 {
			return q, kyc.Invalid("threshold", "range", "must be between 0 and 1")
		}
		q.Threshold = *r.Threshold
	}
	switch {
	case q.Limit == 0:
		q.Limit = DefaultLimit
	case q.Limit < 0 || q.Limit > MaxLimit:
		return q, kyc.Invalid("limit", "range", "must be between 1 and %d", MaxLimit)
	}
	return q, nil
}

// Screen validates and runs a request.
func (s *Screener) Screen(r Request) (Response, error) {
	q, err := r.Query()
	if err != nil {
		return Response{}, err
	}
	hits, info, vs, err := s.SearchInfo(q)
	if err != nil {
		return Response{}, err
	}
	resp := Response{Hits: hits, Lists: make([]ListInfo, 0, len(vs)), Warnings: info.Warnings()}
	if resp.Hits == nil {
		resp.Hits = []Hit{}
	}
	for _, v := range vs {
		li := ListInfo{List: v.List, SHA256: v.SHA256, Entries: v.Entries}
		if !v.Published.IsZero() {
			li.Published = v.Published.Format("2006-01-02")
		}
		resp.Lists = append(resp.Lists, li)
	}
	return resp, nil
}

// usableName: a name part that can be screened, not only particles,
// titles, legal forms or initials.
func usableName(toks []token) bool {
	for _, t := range toks {
		if (t.kind == kindName || t.kind == kindNumber) && len(t.text) >= 2 {
			return true
		}
	}
	return false
}
