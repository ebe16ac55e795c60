package document

// TamperEvidence is document.tamper_hints' evidence: per document kind,
// the hints found and the error-level analysis of its newest photo.
type TamperEvidence struct {
	Documents map[string]TamperDocument `json:"documents"`
}

// TamperDocument is one document kind's part of TamperEvidence.
type TamperDocument struct {
	ELA   map[string]float64 `json:"ela"`
	Hints []Hint             `json:"hints"`
}
