"""The VRPTW router's parts: instances, the validator, first routes, the SISR search and
the process portfolio. `scheduler.matching.vrptw` is the entry point."""
