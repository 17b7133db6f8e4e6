-- Ingest's per-room checks (IngestGuard: how many of this room's worries nobody has acknowledged yet) went
-- through incidents_status, i.e. every open incident of every room: the cost of each event grew with the
-- school's open work (issue 20). One room's incidents by status are an index range now.
CREATE INDEX incidents_room_status ON incidents(site, room, status, source);
