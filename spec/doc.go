// Package spec is the DisconnectEx contract, executable.
//
// It holds three things every backend shares and nothing backend-specific:
//
//   - the portable Windows vocabulary: error codes with their Windows
//     numbers and names (Errno, NTStatus), flags (TF_REUSE_SOCKET), the
//     extension-function GUIDs (WSAID_DISCONNECTEX), socket kinds, TCP
//     table states and the socket life-cycle State;
//   - the Winsock-shaped API that the emulator and the native Windows
//     backend implement, call for call;
//   - the clause catalogue (Clauses): every statement of Microsoft's
//     DisconnectEx page as a Clause with a stable ID, what the page says,
//     what Windows was observed to do with the evidence, and a Status.
//
// Real Windows is the oracle. Where the page and Windows disagree, the
// clause is marked Contradicts and the conformance cases expect what Windows
// does; where nothing public settles a behaviour the clause says so
// (Unverified or Unspecified) and the cases accept only the outcomes the
// evidence allows.
//
// The package imports only the standard library, so it builds on every OS;
// golang.org/x/sys/windows declares its constants for Windows only.
package spec
