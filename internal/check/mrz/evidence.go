package mrz

// Evidence is the part of document.mrz's evidence other packages read:
// the reading, sealed to the verification (open it with the verification's
// OpenEvidence and decode a Reading).
type Evidence struct {
	ReadingSealed string `json:"reading_sealed"`
}
