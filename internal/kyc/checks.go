package kyc

// Check kinds: every check the engines run, named once. A level's check
// rules, stored results, the review console and the dialects' result
// mappings use these names; policy.KnownChecks lists them in pipeline order.
const (
	KindDocumentsRequired = "documents.required"
	KindDocumentIntegrity = "document.integrity"
	KindAge               = "data.age"
	KindExpiry            = "data.expiry"
	KindDuplicateIdentity = "duplicate.identity"
	KindBlocklist         = "blocklist"
	KindRelianceReports   = "reliance.reports"
	KindMRZ               = "document.mrz"
	KindConsistency       = "data.consistency"
	KindDocumentQuality   = "document.quality"
	KindTamperHints       = "document.tamper_hints"
	KindFaceMatch         = "face.match"
	KindFaceDuplicate     = "face.duplicate"
	KindFaceLiveness      = "face.liveness"
	KindSanctions         = "screening.sanctions"
)

// CheckKinds are the check kinds in pipeline order.
var CheckKinds = []string{KindDocumentsRequired, KindDocumentIntegrity, KindAge, KindExpiry, KindDuplicateIdentity, KindBlocklist,
	KindRelianceReports, KindMRZ, KindConsistency, KindDocumentQuality, KindTamperHints, KindFaceMatch, KindFaceDuplicate, KindFaceLiveness,
	KindSanctions}
