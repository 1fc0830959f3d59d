package bloc

import (
	"errors"
	"fmt"
)

// Error codes: a closed set. Each maps to one HTTP status and one TAXII error
// (see the api and taxii packages); nothing else decides how an error looks
// to a client.
const (
	EINVALID     = "invalid"        // the request or input is malformed or breaks a rule
	ENOTFOUND    = "not_found"      // no such bloc, party, event, collection, object…
	ECONFLICT    = "conflict"       // the input contradicts the record (duplicate, impossible transition, owned id)
	EUNAUTH      = "unauthorized"   // no or bad credentials
	EFORBIDDEN   = "forbidden"      // credentials are fine but access rules deny
	ETOOLARGE    = "too_large"      // request body over the limit
	EUNSUPPORTED = "unsupported"    // media type the server does not accept (415)
	ENOTACCEPT   = "not_acceptable" // no acceptable response media type (406)
	EINTERNAL    = "internal"       // a bug or an outage; details are logged, not shown
)

// Error is bloc's one error type. Message is written for a person: it names
// what is wrong and where.
type Error struct {
	Code    string
	Message string
	// Details lists further problems of the same request (every bad row of an
	// import, every bad property of an object).
	Details []string
}

func (e *Error) Error() string {
	if len(e.Details) == 0 {
		return e.Message
	}
	s := e.Message
	for _, d := range e.Details {
		s += "\n  " + d
	}
	return s
}

// Errorf returns an *Error with the given code.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err's first *Error, or EINTERNAL.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the person-readable message of err's first *Error; an
// error of any other kind is internal and its text is not shown to clients.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Error()
	}
	return "internal error"
}

// HTTPStatus is the one mapping of error codes to HTTP statuses, used by
// the registry API and the TAXII server alike.
func HTTPStatus(err error) int {
	switch ErrorCode(err) {
	case EINVALID:
		return 400
	case EUNAUTH:
		return 401
	case EFORBIDDEN:
		return 403
	case ENOTFOUND:
		return 404
	case ENOTACCEPT:
		return 406
	case ECONFLICT:
		return 409
	case ETOOLARGE:
		return 413
	case EUNSUPPORTED:
		return 415
	}
	return 500
}
