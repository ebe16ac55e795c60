package kyc

// CheckKind names a check. Every kind the engines run is named once
// below; a level's check rules, stored results, the review console and the
// dialects' result mappings use these names.
type CheckKind string

// Check kinds; policy.KnownChecks lists them in pipeline order.
const (
	KindDocumentsRequired CheckKind = "documents.required"
	KindDocumentIntegrity CheckKind = "document.integrity"
	KindAge               CheckKind = "data.age"
	KindExpiry            CheckKind = "data.expiry"
	KindDuplicateIdentity CheckKind = "duplicate.identity"
	KindBlocklist         CheckKind = "blocklist"
	KindRelianceReports   CheckKind = "reliance.reports"
	KindMRZ               CheckKind = "document.mrz"
	KindBarcode           CheckKind = "document.barcode"
	KindVIZ               CheckKind = "document.viz"
	KindClassification    CheckKind = "document.classification"
	KindConsistency       CheckKind = "data.consistency"
	KindDocumentQuality   CheckKind = "document.quality"
	KindTamperHints       CheckKind = "document.tamper_hints"
	KindRecapture         CheckKind = "document.recapture"
	KindFaceMatch         CheckKind = "face.match"
	KindFaceDuplicate     CheckKind = "face.duplicate"
	KindFaceLiveness      CheckKind = "face.liveness"
	KindSanctions         CheckKind = "screening.sanctions"
)

// CheckKinds are the check kinds in pipeline order.
var CheckKinds = []CheckKind{KindDocumentsRequired, KindDocumentIntegrity, KindAge, KindExpiry, KindDuplicateIdentity, KindBlocklist,
	KindRelianceReports, KindMRZ, KindBarcode, KindVIZ, KindClassification, KindConsistency, KindDocumentQuality, KindTamperHints, KindRecapture, KindFaceMatch, KindFaceDuplicate, KindFaceLiveness,
	KindSanctions}
