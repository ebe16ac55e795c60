package face

// MatchEvidence is the part of face.match's evidence other packages read
// (the console's case view, PayCools): the similarity, both aligned face
// crops (JPEG, sealed to the verification), the selfie's passive-liveness
// score when the model ran, and the detector's confidence in the selfie's
// face (0–1).
type MatchEvidence struct {
	Score           *float64 `json:"score"`
	DocumentCrop    string   `json:"document_crop"`
	SelfieCrop      string   `json:"selfie_crop"`
	PassiveLiveness *float64 `json:"selfie_passive_liveness"`
	SelfieQuality   *float64 `json:"selfie_quality"`
}

// DuplicateEvidence is face.duplicate's evidence: how many other
// applicants' faces were compared, the best similarity and, at or above
// the threshold, whose face it was.
type DuplicateEvidence struct {
	ApplicantID string   `json:"applicant_id,omitempty"`
	BestScore   *float64 `json:"best_score,omitempty"`
	Compared    int      `json:"compared"`
	Threshold   float64  `json:"threshold"`
}
