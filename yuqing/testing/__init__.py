"""What the tests share: factories for the domain's objects, the standard role personas, and the route
declarations the route × role matrix checks. Test code only; nothing in the running system imports it."""
