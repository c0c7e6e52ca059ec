"""The intake (a feature package): the residents' forms, and the look-alike demands shown while a
title is typed. Photos are checked by `buildings.photos`, QR codes drawn by `buildings.qr`."""
