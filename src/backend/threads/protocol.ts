// The command block one worker and the calling thread share, in the heap. One block per worker,
// each on its own 256 bytes so two workers never write the same cache line.
//   int32 [0] seq     the caller bumps it to post a command (the worker waits on it)
//   int32 [1] done    the worker sets it to seq when the command is finished (the caller waits on it)
//   int32 [2] op      kernel id (index in KERNEL_NAMES), or QUIT
//   int32 [3] status  OK, NOT_RUN (the caller runs the command itself) or FAILED
//   int32 [4] claim   the last seq someone took: the worker and the calling thread both try
//                     compareExchange(seq − 1 → seq), and only the winner runs the command. So a
//                     worker the OS has not scheduled yet costs nothing: the caller, done with its
//                     own share, runs the worker's share too (a loaded machine degrades to one thread).
//   float64 from byte 32: the kernel's arguments (MAX_ARGS of them)
// Reductions take (ptr, n, first partial slot) and write one float64 per REDUCE_BLOCK block into
// the partials area, which follows the workers' blocks.

export const STRIDE_BYTES = 256;
export const ARGS_BYTE = 32;
export const SEQ = 0;
export const DONE = 1;
export const OP = 2;
export const STATUS = 3;
export const CLAIM = 4;

export const QUIT = -1;
export const OK = 0;
export const NOT_RUN = 2;
export const FAILED = 1;

/** Blocks reduced per dispatch; longer runs take several rounds (the partials area holds this many float64). */
export const ROUND_BLOCKS = 1024;
