package conformance

// LongWait is longWait for the external tests (backends_test.go).
const LongWait = longWait
