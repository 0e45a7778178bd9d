-- One row per contact with the service-chain pain points as flags and durations.
-- Thresholds and service hours are bound from tpnb.yaml ($parameters).
create or replace table mart_contacts as
with contacts as (
    select * from core_contacts
),
customers as (
    select * from core_customers
),
timed as (
    select
        c.*,
        coalesce(cu.segment, 'unknown') as segment,
        coalesce(cu.role, 'unknown') as role,
        coalesce(cu.account_id, c.customer_id) as account_id,
        coalesce(cu.region, 'unknown') as region,
        date_trunc('month', c.opened_at)::date as period_month,
        date_diff('second', c.opened_at, c.first_response_at) / 3600.0 as first_response_hours,
        date_diff('second', c.opened_at, c.resolved_at) / 3600.0 as resolution_hours,
        c.contact_type = 'callback_request' or c.callback_due_at is not null as is_callback_requested,
        lead(c.opened_at) over (
            partition by c.customer_id, c.contact_type, coalesce(c.touchpoint_id, '')
            order by c.opened_at, c.contact_id
        ) as next_same_topic_at,
        hour(c.opened_at) * 60 + minute(c.opened_at) as opened_minute
    from contacts as c
    left join customers as cu using (customer_id)
)
select
    * exclude (next_same_topic_at, opened_minute),
    first_response_at is null as is_unanswered,
    coalesce(first_response_hours <= $first_response_target_hours, false) as is_answered_in_target,
    case when is_callback_requested then coalesce(callback_done_at::date = opened_at::date, false) end
        as is_callback_same_day,
    case when is_callback_requested then callback_done_at is null end as is_callback_missed,
    case when wait_seconds is not null then wait_seconds > $wait_threshold_seconds end as is_long_wait,
    coalesce(handoffs, 0) >= 2 or coalesce(departments, 0) >= 3 as is_passed_around,
    contact_type = 'complaint' as is_complaint,
    case when contact_type = 'complaint' then coalesce(interim_updates, 0) > 0 end as has_interim_update,
    not (list_contains($service_weekdays, isodow(opened_at))
         and opened_minute >= $service_start_minute and opened_minute < $service_end_minute)
        as is_outside_hours,
    coalesce(next_same_topic_at <= opened_at + to_days($follow_up_days), false) as has_follow_up
from timed
