-- Customers (persons) with their account; personal data never reached raw.
create or replace table core_customers as
with customers as (
    select * from raw_customers
)
select
    customer_id,
    coalesce(account_id, customer_id) as account_id,
    coalesce(segment, 'unknown') as segment,
    coalesce(role, 'unknown') as role,
    coalesce(region, 'unknown') as region
from customers
