package mrz

// Evidence is the part of document.mrz's evidence other packages read:
// the reading, sealed to the verification (open it with the verification's
// OpenEvidence and decode a Reading).
type Evidence struct {
	ReadingSealed string `json:"reading_sealed"`
}

// ConsistencyEvidence is data.consistency's evidence: each declared field
// compared with the MRZ, the names of those that differ, and the doubts
// of a reading in doubt (document.mrz's).
type ConsistencyEvidence struct {
	Doubts     []string              `json:"doubts,omitempty"`
	Fields     map[string]FieldMatch `json:"fields"`
	Mismatches []string              `json:"mismatches"`
}

// FieldMatch is one declared field against the MRZ: whether it matches
// and how closely (names: similarity; other fields 0 or 1).
type FieldMatch struct {
	Match bool    `json:"match"`
	Score float64 `json:"score"`
}
