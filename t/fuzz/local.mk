## Fuzz targets of the core (config loader, control socket, wire codec).
## Plugins' targets live in their own local.mk. Convention (t/fuzz/README):
## t/fuzz/fuzz-<name>.c defines LLVMFuzzerTestOneInput; t/fuzz/replay-<name>
## (always built, a TAP test) replays t/fuzz/corpus/<name>/ and
## t/fuzz/regress/<name>/; under FUZZING t/fuzz/fuzz-<name> is the libFuzzer
## program, listed in FUZZ_TARGETS.
