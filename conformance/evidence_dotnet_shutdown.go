package conformance

import "github.com/disconnectex/disconnectex/spec"

// The expectations of dotnet/runtime's Shutdown.cs, pinned to the commit
// the file index holds.

func init() { registerEvidence(&dotnetShutdown) }

var dotnetShutdown = evidenceSource{
	Name:       "dotnet-shutdown",
	Repo:       "dotnet/runtime",
	Path:       dotnetDir + "Shutdown.cs",
	Version:    "main",
	Commit:     "20dcbe553a9a5172e4156f684669b299ba38c73d",
	CasePrefix: "dotnet-shutdown/",
	Complete:   []string{"OnOperationCompleted", "Shutdown_TCP_CLOSED_Success"},
	Entries: []expectation{
		{Func: "OnOperationCompleted", Line: 21, Kind: kindAssert, Checks: "OuterLoop: every AcceptAsync, ReceiveAsync and SendAsync of the echo server completes with SocketError.Success (AcceptEx, WSARecv, WSASend)", Case: "dotnet-shutdown/both-after-close"},
		{Func: "OnOperationCompleted", Line: 61, Kind: kindAssert, Checks: "each SendAsync transfers the whole 1-byte buffer", Case: "dotnet-shutdown/both-after-close"},
		{Func: "Shutdown_TCP_CLOSED_Success", Line: 92, Kind: kindAssert, Checks: "AcceptAsync on a listener with no connection waiting pends (AcceptEx returns ERROR_IO_PENDING); the test binds IPv6, the case IPv4", Case: "dotnet-shutdown/both-after-close"},
		{Func: "Shutdown_TCP_CLOSED_Success", Line: 100, Kind: kindAssert, Clause: spec.ClauseGapShutdownSend, Checks: "each of 32 one-byte sends sends 1 byte; after Shutdown(Send), reading to the FIN and 5 s, Shutdown(Both) on the client (the side that closed first) does not throw", Case: "dotnet-shutdown/both-after-close"},
	},
}
