-- The register of improvement measures.
create or replace table core_measures as
with measures as (
    select * from raw_measures
)
select measure_id, touchpoint_id, title, started_at, ended_at, owner
from measures
