-- Orders: what was bought and when (observed repurchase).
create or replace table core_orders as
with orders as (
    select * from raw_orders
)
select order_id, customer_id, ordered_at, amount
from orders
