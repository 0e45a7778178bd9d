-- Survey columns beyond the contract, kept per response (text and number).
create or replace table core_survey_attributes as
with attributes as (
    select response_id, unnest(attributes) as a from raw_surveys
)
select response_id, a.name as attribute, a.value_text, a.value_number
from attributes
