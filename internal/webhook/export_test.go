package webhook

// Unexported parts the external tests check directly.
var (
	PublicAddr      = publicAddr
	RefuseNonPublic = refuseNonPublic
)
