-- One row per survey response, with the customer's dimensions
-- (a response's own segment/role/account override the customers table).
create or replace table core_survey_responses as
with responses as (
    select * from raw_surveys
),
customers as (
    select * from core_customers
)
select
    r.response_id,
    r.customer_id,
    r.answered_at,
    r.answered_at::date as answered_on,
    date_trunc('month', r.answered_at)::date as period_month,
    strftime(r.answered_at, '%Y') || '-Q' || quarter(r.answered_at)::varchar as period_quarter,
    r.nps,
    case when r.nps >= 9 then 'promoter' when r.nps >= 7 then 'passive'
         when r.nps is not null then 'detractor' end as nps_category,
    r.repurchase_intent,
    r.comment,
    coalesce(r.segment, c.segment, 'unknown') as segment,
    coalesce(r.role, c.role, 'unknown') as role,
    coalesce(r.account_id, c.account_id, r.customer_id) as account_id,
    coalesce(c.region, 'unknown') as region,
    c.customer_id is not null as is_known_customer,
    r.attributes
from responses as r
left join customers as c using (customer_id)
