"""The pages people work in: sign-in, projects, customers; the desk arrives with the desk."""
